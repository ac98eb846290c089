package core

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"fmt"
	"hash"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
)

// HashFunction is Heka's Header.HmacHashFunction.
type HashFunction uint8

// Heka's HMAC hash functions (Header.HmacHashFunction values).
const (
	HashMD5  HashFunction = 0
	HashSHA1 HashFunction = 1
)

// String returns "md5" or "sha1".
func (h HashFunction) String() string {
	switch h {
	case HashMD5:
		return "md5"
	case HashSHA1:
		return "sha1"
	}
	return fmt.Sprintf("hash(%d)", uint8(h))
}

// ParseHashFunction returns the hash function named "md5" or "sha1".
func ParseHashFunction(name string) (HashFunction, error) {
	switch name {
	case "md5", "MD5":
		return HashMD5, nil
	case "sha1", "SHA1":
		return HashSHA1, nil
	}
	return 0, fmt.Errorf("metlog: unknown HMAC hash %q (want md5 or sha1)", name)
}

func (h HashFunction) new() func() hash.Hash {
	if h == HashSHA1 {
		return sha1.New
	}
	return md5.New
}

// HMACConfig signs Heka records. Receivers look the key up by
// "<Signer>_<KeyVersion>" and compute the HMAC over the encoded Message
// bytes with the raw bytes of Key.
type HMACConfig struct {
	Signer     string
	KeyVersion uint32
	Hash       HashFunction
	Key        string
}

// maxSignerLen keeps the longest signed header within MaxHeaderSize.
const maxSignerLen = 200

type signer struct {
	cfg  HMACConfig
	pool sync.Pool // of hash.Hash, keyed with cfg.Key
	size int       // digest length
}

func newSigner(cfg HMACConfig) (*signer, error) {
	if cfg.Hash != HashMD5 && cfg.Hash != HashSHA1 {
		return nil, fmt.Errorf("metlog: unknown HMAC hash function %d", cfg.Hash)
	}
	if len(cfg.Signer) > maxSignerLen {
		return nil, fmt.Errorf("metlog: HMAC signer name is %d bytes, at most %d fit a Heka header", len(cfg.Signer), maxSignerLen)
	}
	s := &signer{cfg: cfg}
	newHash := cfg.Hash.new()
	key := []byte(cfg.Key)
	s.pool.New = func() any { return hmac.New(newHash, key) }
	s.size = newHash().Size()
	return s, nil
}

// headerSize bounds the header bytes signing adds.
func (s *signer) headerSize() int {
	return 2 + 2 + protowire.SizeVarint(uint64(len(s.cfg.Signer))) + len(s.cfg.Signer) + 1 + 5 + 2 + s.size
}

// appendHeader appends the signing part of a Header (tags 3-6) for msg.
func (s *signer) appendHeader(dst, msg []byte) []byte {
	if s.cfg.Hash != HashMD5 { // MD5 is the schema's default: not written
		dst = protowire.AppendTag(dst, hdrHashFunction, protowire.VarintType)
		dst = protowire.AppendVarint(dst, uint64(s.cfg.Hash))
	}
	dst = protowire.AppendTag(dst, hdrSigner, protowire.BytesType)
	dst = protowire.AppendString(dst, s.cfg.Signer)
	dst = protowire.AppendTag(dst, hdrKeyVersion, protowire.VarintType)
	dst = protowire.AppendVarint(dst, uint64(s.cfg.KeyVersion))
	dst = protowire.AppendTag(dst, hdrHMAC, protowire.BytesType)
	dst = append(dst, byte(s.size))
	return s.sum(dst, msg)
}

// sum appends the HMAC of msg to dst.
func (s *signer) sum(dst, msg []byte) []byte {
	h := s.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(msg)
	dst = h.Sum(dst)
	s.pool.Put(h)
	return dst
}

// Sign returns the HMAC of an encoded Message with the given hash and key,
// as a receiver computes it to verify a record.
func Sign(hash HashFunction, key string, msg []byte) []byte {
	h := hmac.New(hash.new(), []byte(key))
	h.Write(msg)
	return h.Sum(nil)
}

package core

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"errors"
	"hash"
	"testing"
)

// HMAC signing and verification of Heka records.

func TestHMAC(t *testing.T) {
	for _, c := range []struct {
		hash HashFunction
		new  func() hash.Hash
		size int
	}{
		{HashMD5, md5.New, md5.Size},
		{HashSHA1, sha1.New, sha1.Size},
	} {
		t.Run(c.hash.String(), func(t *testing.T) {
			const key = "K: the key\x00with a NUL"
			cfg := fixedConfig()
			cfg.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 3, Hash: c.hash, Key: key}
			m := &Message{UUID: testUUID, Timestamp: testTime, Type: "signed", Payload: "payload to sign", Fields: []Field{Int("n", 7)}}
			rec := mustEncode(t, mustEncoder(t, FormatHeka, cfg), m)

			keys := func(signer string, v uint32) (string, bool) {
				if signer == "ops" && v == 3 {
					return key, true
				}
				return "", false
			}
			got, hdr, err := DecodeHekaRecord(rec, keys)
			if err != nil {
				t.Fatalf("verify with the signing key: %v", err)
			}
			if got.Payload != m.Payload {
				t.Fatalf("payload %q", got.Payload)
			}

			// The digest is HMAC over the Message bytes only, keyed with
			// the key string's raw bytes: compute it independently.
			hl := int(rec[1])
			msg := rec[3+hl:]
			mac := hmac.New(c.new, []byte(key))
			mac.Write(msg)
			want := mac.Sum(nil)
			if !bytes.Equal(hdr.HMAC, want) || len(hdr.HMAC) != c.size {
				t.Fatalf("header HMAC %x, crypto/hmac computes %x", hdr.HMAC, want)
			}
			if !bytes.Equal(Sign(c.hash, key, msg), want) {
				t.Fatalf("Sign disagrees with crypto/hmac")
			}
			if hdr.HashFunction != c.hash || hdr.Signer != "ops" || hdr.KeyVersion != 3 {
				t.Fatalf("header %+v", hdr)
			}

			wrongKey := func(string, uint32) (string, bool) { return key + "x", true }
			if _, _, err := DecodeHekaRecord(rec, wrongKey); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("wrong key: err = %v, want ErrBadSignature", err)
			}

			payloadAt := bytes.Index(rec, []byte("payload to sign"))
			if payloadAt < 3+hl {
				t.Fatalf("test bug: payload not found in the message")
			}
			for _, i := range []int{3 + hl, payloadAt, len(rec) - 1} {
				flipped := bytes.Clone(rec)
				flipped[i] ^= 0x01
				if _, _, err := DecodeHekaRecord(flipped, keys); !errors.Is(err, ErrBadSignature) {
					t.Fatalf("message byte %d flipped: err = %v, want ErrBadSignature", i, err)
				}
			}
			flipped := bytes.Clone(rec)
			flipped[2+hl-1] ^= 0x80 // last digest byte
			if _, _, err := DecodeHekaRecord(flipped, keys); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("digest flipped: err = %v, want ErrBadSignature", err)
			}

			for name, kf := range map[string]KeyFunc{
				"unknown signer":  func(s string, v uint32) (string, bool) { return key, s == "other" && v == 3 },
				"unknown version": func(s string, v uint32) (string, bool) { return key, s == "ops" && v == 4 },
			} {
				_, h, err := DecodeHekaRecord(rec, kf)
				if !errors.Is(err, ErrUnknownKey) {
					t.Fatalf("%s: err = %v, want ErrUnknownKey", name, err)
				}
				if h.Signer != "ops" {
					t.Fatalf("%s: header not returned with the error: %+v", name, h)
				}
			}

			// Without keys, signatures are not checked.
			flipped = bytes.Clone(rec)
			flipped[payloadAt] = 'P'
			got, hdr, err = DecodeHekaRecord(flipped, nil)
			if err != nil || got.Payload != "Payload to sign" || !hdr.Signed() {
				t.Fatalf("keys nil: %v %+v", err, got)
			}
		})
	}
}

func TestHMACUnsignedRecordWithKeys(t *testing.T) {
	// An unsigned record decodes with keys configured: requiring a
	// signature is the caller's decision (HekaHeader.Signed).
	rec := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()), &Message{Type: "u"})
	called := false
	keys := func(string, uint32) (string, bool) { called = true; return "", false }
	_, hdr, err := DecodeHekaRecord(rec, keys)
	if err != nil || hdr.Signed() || called {
		t.Fatalf("err %v, signed %v, keys called %v", err, hdr.Signed(), called)
	}
}

func TestHMACDigestLengthMismatch(t *testing.T) {
	// A SHA1 header carrying an MD5-sized digest never verifies.
	cfg := fixedConfig()
	cfg.HMAC = &HMACConfig{Signer: "s", KeyVersion: 1, Hash: HashMD5, Key: "k"}
	rec := mustEncode(t, mustEncoder(t, FormatHeka, cfg), &Message{Type: "x"})
	// Rebuild the header as SHA1 with the MD5 digest.
	hl := int(rec[1])
	hdr, err := decodeHekaHeader(rec[2 : 2+hl])
	if err != nil {
		t.Fatal(err)
	}
	h := []byte{0x08}
	h = append(h, rec[3:4]...) // message_length, one byte (short message)
	if hdr.MessageLength >= 128 {
		t.Fatalf("test bug: message too long")
	}
	h = append(h, 0x18, 0x01)     // SHA1
	h = append(h, rec[4:2+hl]...) // signer, version, hmac as written
	forged := append([]byte{RecordSeparator, byte(len(h))}, h...)
	forged = append(forged, UnitSeparator)
	forged = append(forged, rec[3+hl:]...)
	_, fh, err := DecodeHekaRecord(forged, func(string, uint32) (string, bool) { return "k", true })
	if fh.HashFunction != HashSHA1 || !errors.Is(err, ErrBadSignature) {
		t.Fatalf("hash %v err %v, want SHA1 and ErrBadSignature", fh.HashFunction, err)
	}
}

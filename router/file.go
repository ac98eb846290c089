package router

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/metlog-go/metlog/core"
)

// fileSender is the file endpoint's core.Sender: it appends frames to a
// file, rotates it by size and reopens it on request (after logrotate has
// moved it away).
//
// Rotation happens between frames: before a frame that would take the file
// past maxSize (unless the file is empty, so that a frame larger than
// maxSize still goes somewhere), the file becomes path.1, path.1 becomes
// path.2 and so on up to path.<keep>; the oldest beyond keep is removed.
type fileSender struct {
	path    string
	maxSize int64 // 0: never rotate
	keep    int

	mu     sync.Mutex // Send runs on the client's goroutine, Reopen on any
	f      *os.File   // nil until the next Send opens it
	size   int64
	closed bool
}

func newFileSender(path string, maxSize int64, keep int) (*fileSender, error) {
	s := &fileSender{path: path, maxSize: maxSize, keep: keep}
	// Open once now so that a bad path is a configuration error.
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fileSender) open() error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.f, s.size = f, st.Size()
	return nil
}

// Send appends the batch's frames, rotating between frames as needed.
func (s *fileSender) Send(b *core.Batch) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("router: file endpoint closed")
	}
	for i := 0; i < b.Len(); {
		if s.f == nil {
			if err := s.open(); err != nil {
				return i, fmt.Errorf("%w: %v", core.ErrUnavailable, err)
			}
		}
		j, n := i, int64(0)
		for j < b.Len() {
			l := int64(len(b.Frame(j)))
			if s.maxSize > 0 && s.size+n+l > s.maxSize && s.size+n > 0 {
				break
			}
			n += l
			j++
		}
		if j > i {
			w, err := s.f.Write(b.Bytes(i, j))
			s.size += int64(w)
			if err != nil {
				s.f.Close()
				s.f = nil
				done := b.FramesIn(len(b.Bytes(0, i)) + w)
				return done, fmt.Errorf("%w: %v", core.ErrUnavailable, err)
			}
			i = j
		}
		if i < b.Len() {
			if err := s.rotate(); err != nil {
				return i, fmt.Errorf("%w: rotate %s: %v", core.ErrUnavailable, s.path, err)
			}
		}
	}
	return b.Len(), nil
}

// rotate closes the file, shifts the old files up by one and opens a new
// file.
func (s *fileSender) rotate() error {
	s.f.Close()
	s.f = nil
	old := func(i int) string { return s.path + "." + strconv.Itoa(i) }
	if s.keep == 0 {
		if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return s.open()
	}
	if err := os.Remove(old(s.keep)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for i := s.keep - 1; i >= 1; i-- {
		if err := os.Rename(old(i), old(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(s.path, old(1)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return s.open()
}

// Reopen closes the file and opens the path again, creating it if it was
// moved away. When that fails, the next Send tries again.
func (s *fileSender) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	return s.open()
}

// Close closes the file.
func (s *fileSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

package core

import (
	"fmt"
	"io"
	"os"
)

// WriterSender writes frames to an io.Writer (stdout, a file, a pipe),
// one Write per batch. Write errors drop the batch's frames.
type WriterSender struct {
	w io.Writer
	c io.Closer // nil for writers the sender does not own
}

// NewWriterSender returns a sender writing to w. Close does not close w.
func NewWriterSender(w io.Writer) *WriterSender { return &WriterSender{w: w} }

// newFileSender returns a sender appending to the file at path, created
// with mode 0644 if needed. Close closes the file.
func newFileSender(path string) (*WriterSender, error) {
	if path == "" {
		return nil, fmt.Errorf("metlog: file:// address without a path")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metlog: %w", err)
	}
	return &WriterSender{w: f, c: f}, nil
}

// Send writes the batch in one Write.
func (s *WriterSender) Send(b *Batch) (int, error) {
	n, err := s.w.Write(b.Bytes(0, b.Len()))
	if err != nil {
		return b.FramesIn(n), fmt.Errorf("metlog: write: %w", err)
	}
	return b.Len(), nil
}

// Close closes the file of a file sender; it does nothing for other writers.
func (s *WriterSender) Close() error {
	if s.c == nil {
		return nil
	}
	c := s.c
	s.c = nil
	return c.Close()
}

func stdout() io.Writer { return os.Stdout }
func stderr() io.Writer { return os.Stderr }

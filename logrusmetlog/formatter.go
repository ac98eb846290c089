package logrusmetlog

import "github.com/sirupsen/logrus"

// DiscardFormatter is a logrus.Formatter that formats nothing. logrus
// formats every entry for Logger.Out even when Out is io.Discard; when a
// Hook is the logger's only destination, set
//
//	logger.Out = io.Discard
//	logger.Formatter = logrusmetlog.DiscardFormatter{}
//
// so that logging costs logrus's bookkeeping and the hooks, and no
// formatting.
type DiscardFormatter struct{}

// Format returns no bytes and no error.
func (DiscardFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }

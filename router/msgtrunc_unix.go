//go:build unix

package router

import "syscall"

// msgTrunc is the recvmsg flag of a datagram cut short by the buffer.
const msgTrunc = syscall.MSG_TRUNC

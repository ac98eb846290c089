//go:build !unix

package router

// msgTrunc: no recvmsg flags here.
const msgTrunc = 0

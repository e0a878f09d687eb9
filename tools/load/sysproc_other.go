//go:build !linux

package main

import "syscall"

// childAttr puts the portal in a process group of its own, so that Ctrl-C in a terminal
// reaches only this script, which then stops the portal in order. (Only Linux can also
// have the kernel kill it should this script die; memory is read from /proc there too.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

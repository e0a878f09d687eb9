package main

import "syscall"

// childAttr puts the portal in a process group of its own, so that Ctrl-C in a terminal
// reaches only this script, which then stops the portal in order; and has the kernel kill
// the portal should this script die without stopping it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

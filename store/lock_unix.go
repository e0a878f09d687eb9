//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// unixSockets reports whether the embedded database can listen on a Unix domain socket.
const unixSockets = true

// lockDir takes an exclusive lock on the file at path, creating it, and returns the function
// that releases it. flock locks belong to an open file, so a second lock fails even within one
// process, and the kernel drops them when a process dies: a crash leaves no stale lock.
func lockDir(path string) (unlock func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrDataDirInUse
		}
		return nil, err
	}
	return f.Close, nil
}

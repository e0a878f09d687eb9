package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dataLock keeps a second process from opening the same embedded database: two FerretDB
// instances on one set of SQLite files would each cache their own view of it. The other
// commands use the database of the process that holds it instead (running.go).
type dataLock struct{ f *os.File }

// errDataDirInUse is lockDataDir's answer when another process, or another lock of this
// one, holds the directory.
var errDataDirInUse = errors.New("in use by another portal process")

func lockDataDir(dir string) (*dataLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	path := filepath.Join(dir, "portal.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data_dir %s is %w", dir, errDataDirInUse)
		}
		return nil, fmt.Errorf("data_dir: lock %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

func (l *dataLock) release() error {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}

//go:build !unix

package store

// unixSockets reports whether the embedded database can listen on a Unix domain socket. Here
// it uses loopback TCP, the one transport that FerretDB and the driver both support everywhere.
const unixSockets = false

// lockDir does nothing here: there is no flock. Do not run two portals on one directory.
func lockDir(string) (unlock func() error, err error) {
	return func() error { return nil }, nil
}

package themes

import (
	"errors"
	"io/fs"
	"sort"
)

// Layered returns a file system in which the files of top hide those of base with the same
// path, and directory listings merge both.
func Layered(top, base fs.FS) fs.FS { return layered{top: top, base: base} }

type layered struct{ top, base fs.FS }

func (l layered) Open(name string) (fs.File, error) {
	f, err := l.top.Open(name)
	if err == nil {
		st, serr := f.Stat()
		if serr == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
	}
	return l.base.Open(name)
}

func (l layered) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	base, berr := fs.ReadDir(l.base, name)
	for _, e := range base {
		seen[e.Name()] = e
	}
	top, terr := fs.ReadDir(l.top, name)
	for _, e := range top {
		seen[e.Name()] = e
	}
	if berr != nil && terr != nil {
		return nil, errors.Join(berr, terr)
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

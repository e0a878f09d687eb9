package themes

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
)

// gzipped returns body compressed at the best level, or nil when that saves under 10%.
func gzipped(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	if buf.Len() > len(body)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// Deflate compresses plain at the best level into raw deflate blocks ended by a flush, not
// a close: a part of a page compressed once and spliced into many compressed answers (the
// server's gzip writer takes it through WriteDeflated). The blocks refer to nothing before
// them, and nothing after them may refer into them.
func Deflate(plain []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(plain)
	fw.Flush()
	return buf.Bytes()
}

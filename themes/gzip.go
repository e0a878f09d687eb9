package themes

import (
	"bytes"
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

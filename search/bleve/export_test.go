package bleve

// SetVersionForTest stamps x with another mapping version, as an older portal would have.
func SetVersionForTest(x *Index, v string) error { return x.idx.SetInternal(versionKey, []byte(v)) }

package handlers

// pastEnd returns the 404 error of a list asked for a page past its last one: its total
// items fill pages pages. The message is worded for the count, in the page's language:
// "the results fill 1 pages" reads wrong, and so does it when nothing matched at all.
func pastEnd(p *Page, page, pages, total int) error {
	switch {
	case total == 0:
		return notFound(p, "directory.error.page_none", page)
	case pages == 1:
		return notFound(p, "directory.error.page_one", page)
	}
	return notFound(p, "directory.error.page", page, pages)
}

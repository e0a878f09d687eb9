// Package content turns Markdown into safe HTML and owns guideline source files.
//
// ParseFile and Format read and write a guideline file (YAML front matter, then a Markdown
// body) and Hash says whether two files describe the same revision. A Renderer turns a body
// into sanitized HTML (goldmark, then bluemonday; raw HTML never survives), a table of
// contents, and the revision's blocks: every heading, paragraph, list item, table, quote,
// code block and footnote carries an id derived from its text, the anchor that paragraph
// comments attach to and that survives edits elsewhere in the document. Diff compares two
// revisions block by block with word-level changes, tables cell by cell and list items in
// their lists (Nest lays them out). Importer and Export move guideline
// files into and out of the store through these functions; Starter bundles the starter
// guidelines. The referral directory is not content: it lives in directory/.
//
// content is the only package that creates template.HTML: templates get it from Trusted
// (for HTML that Render sanitized). A diff is text in spans, which the templates escape.
package content

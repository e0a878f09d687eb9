package content

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
)

// MaxFileSize is the largest Markdown file accepted (1 MiB); larger files get an
// ETOOLARGE portal.Error naming the file.
const MaxFileSize = 1 << 20

// dateLayout is how front matter writes calendar dates.
const dateLayout = "2006-01-02"

// File is one parsed Markdown file: front matter and body.
type File struct {
	Name     string // the path it came from, for error messages
	Meta     portal.GuidelineMeta
	Revision int        // from front matter `revision:`; 0 when absent
	Date     *time.Time // from front matter `date:` (the revision date); nil when absent
	Body     string     // Markdown after the front matter, \r\n normalised to \n
}

// ParseFile parses data: YAML front matter between two `---` lines, then a Markdown body.
// Errors are *portal.Error with code EINVALID (ETOOLARGE above MaxFileSize) and a message
// that names the file and, where it applies, the front matter key and its line, such as
//
//	guidelines/x.en.md: front matter: unknown key "titel" (line 3)
//
// Unknown and repeated keys are errors, so a typo cannot silently drop a value. The meta
// is checked with GuidelineMeta.Validate, whose Fields are kept. The body must be valid
// UTF-8 and not empty.
func ParseFile(name string, data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, portal.Errorf(portal.ETOOLARGE, "%s: file is %d bytes; the limit is %d (1 MiB)", name, len(data), MaxFileSize)
	}
	if line, ok := invalidUTF8Line(data); ok {
		return nil, portal.Errorf(portal.EINVALID, "%s: not valid UTF-8 text (line %d)", name, line)
	}
	s := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\ufeff")
	fm, body, err := splitFrontMatter(s)
	if err != nil {
		return nil, prefixError(name, err)
	}
	f := &File{Name: name, Body: body}
	lines, err := decodeFrontMatter(f, fm)
	if err != nil {
		return nil, prefixError(name, err)
	}
	if err := f.Meta.Validate(); err != nil {
		return nil, prefixError(name, withLine(err, lines))
	}
	if strings.TrimSpace(body) == "" {
		return nil, prefixError(name, portal.FieldError("body", "the Markdown body after the front matter is empty"))
	}
	return f, nil
}

// invalidUTF8Line returns the 1-based line of the first byte that is not valid UTF-8.
func invalidUTF8Line(data []byte) (int, bool) {
	if utf8.Valid(data) {
		return 0, false
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line, true
		}
		if r == '\n' {
			line++
		}
		i += size
	}
	return line, true
}

// splitFrontMatter splits s into the YAML between the first two `---` lines and the body
// after them. The front matter is required: every guideline needs at least a title, slug,
// language and status.
func splitFrontMatter(s string) (fm, body string, err error) {
	first, rest, _ := strings.Cut(s, "\n")
	if !isDelimiter(first) {
		return "", "", portal.Errorf(portal.EINVALID, "front matter: missing; the file must start with a --- line")
	}
	for off := 0; off < len(rest); {
		line, _, found := strings.Cut(rest[off:], "\n")
		if isDelimiter(line) {
			end := off + len(line)
			if found {
				end++
			}
			return rest[:off], rest[end:], nil
		}
		if !found {
			break
		}
		off += len(line) + 1
	}
	return "", "", portal.Errorf(portal.EINVALID, "front matter: no closing --- line")
}

func isDelimiter(line string) bool {
	return strings.TrimRight(line, " \t") == "---"
}

// prefixError puts the file name in front of a portal error's message, keeping its code
// and fields so a form can still mark them.
func prefixError(name string, err error) error {
	var e *portal.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return &portal.Error{Code: e.Code, Message: name + ": " + e.Message, Fields: e.Fields, Err: e.Err}
}

// withLine adds "front matter:" and the line of the offending key to a validation error.
func withLine(err error, lines map[string]int) error {
	var e *portal.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := "front matter: " + e.Message
	for field := range e.Fields {
		if line, ok := lines[field]; ok {
			msg += fmt.Sprintf(" (line %d)", line)
		}
	}
	return &portal.Error{Code: e.Code, Message: msg, Fields: e.Fields, Err: e.Err}
}

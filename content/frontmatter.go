package content

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gobidialogue/portal"
)

// fieldSetter decodes one front matter value into f.
type fieldSetter func(f *File, v *yaml.Node) error

// fields lists every front matter key a guideline file may use.
var fields = map[string]fieldSetter{
	"title":           setString(func(f *File) *string { return &f.Meta.Title }),
	"slug":            setString(func(f *File) *string { return &f.Meta.Slug }),
	"translation_key": setString(func(f *File) *string { return &f.Meta.TranslationKey }),
	"summary":         setString(func(f *File) *string { return &f.Meta.Summary }),
	"change_note":     setString(func(f *File) *string { return &f.Meta.ChangeNote }),
	"language": func(f *File, v *yaml.Node) error {
		s, err := scalarString(v)
		f.Meta.Language = portal.Language(s)
		return err
	},
	"status": func(f *File, v *yaml.Node) error {
		s, err := scalarString(v)
		f.Meta.Status = portal.GuidelineStatus(s)
		return err
	},
	"tags":           setTags,
	"comment_opens":  setDate(func(f *File) **time.Time { return &f.Meta.CommentOpens }),
	"comment_closes": setDate(func(f *File) **time.Time { return &f.Meta.CommentCloses }),
	"date":           setDate(func(f *File) **time.Time { return &f.Date }),
	"revision":       setRevision,
	"example":        setExample,
}

// yamlLine finds the line number in the yaml library's error messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// decodeFrontMatter decodes the YAML fm into f and returns the file line of each key, so
// that validation errors can point at it. Front matter starts on line 2 of the file.
func decodeFrontMatter(f *File, fm string) (map[string]int, error) {
	const offset = 1
	dec := yaml.NewDecoder(strings.NewReader(fm))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, yamlSyntaxError(err, offset)
	}
	// A "..." line would end the YAML document and hide every key after it.
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlSyntaxError(err, offset)
	default:
		return nil, portal.Errorf(portal.EINVALID, "front matter: must be a single YAML document (line %d)", extra.Line+offset)
	}
	lines := map[string]int{}
	if len(doc.Content) == 0 {
		return lines, nil // empty front matter: Validate reports the missing title
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, portal.Errorf(portal.EINVALID, "front matter: must be lines of key: value (line %d)", root.Line+offset)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := k.Line + offset
		set, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode || !ok:
			return nil, portal.Errorf(portal.EINVALID, "front matter: unknown key %q (line %d)", k.Value, line)
		case lines[k.Value] != 0:
			return nil, keyError(k.Value, line, fmt.Errorf("appears twice, first on line %d", lines[k.Value]))
		}
		lines[k.Value] = line
		if err := set(f, v); err != nil {
			return nil, keyError(k.Value, v.Line+offset, err)
		}
	}
	return lines, nil
}

// keyError reports a bad value: the message gives key and line, the field just the problem.
func keyError(key string, line int, err error) error {
	return &portal.Error{
		Code:    portal.EINVALID,
		Message: fmt.Sprintf("front matter: %s: %v (line %d)", key, err, line),
		Fields:  map[string]string{key: err.Error()},
	}
}

// yamlSyntaxError rewrites the yaml library's error to count lines from the file's start.
func yamlSyntaxError(err error, offset int) error {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = n + offset
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if line > 0 {
		return portal.Errorf(portal.EINVALID, "front matter: invalid YAML: %s (line %d)", msg, line)
	}
	return portal.Errorf(portal.EINVALID, "front matter: invalid YAML: %s", msg)
}

// scalarString accepts any scalar as text, so `slug: 2026` works; null is the empty string.
func scalarString(v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("must be text, not a list or mapping")
	}
	if v.ShortTag() == "!!null" {
		return "", nil
	}
	return v.Value, nil
}

func setString(field func(*File) *string) fieldSetter {
	return func(f *File, v *yaml.Node) error {
		s, err := scalarString(v)
		*field(f) = s
		return err
	}
}

func setTags(f *File, v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return fmt.Errorf("must be a list, like [truck drivers, mining companies]")
	}
	for _, item := range v.Content {
		s, err := scalarString(item)
		if err != nil || strings.TrimSpace(s) == "" {
			return fmt.Errorf("each tag must be non-empty text")
		}
		f.Meta.Tags = append(f.Meta.Tags, s)
	}
	return nil
}

// setDate reads a calendar date (YYYY-MM-DD), which means midnight in Mongolia.
func setDate(field func(*File) **time.Time) fieldSetter {
	return func(f *File, v *yaml.Node) error {
		s, err := scalarString(v)
		if err != nil || s == "" {
			return err
		}
		t, err := time.ParseInLocation(dateLayout, s, portal.MongoliaTime)
		if err != nil {
			return fmt.Errorf("%q is not a date like 2026-10-01", s)
		}
		*field(f) = &t
		return nil
	}
}

func setRevision(f *File, v *yaml.Node) error {
	n, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || err != nil || n < 1 {
		return fmt.Errorf("must be a whole number from 1 up")
	}
	f.Revision = n
	return nil
}

func setExample(f *File, v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
		return fmt.Errorf("must be true or false")
	}
	return v.Decode(&f.Meta.Example)
}

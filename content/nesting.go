package content

import (
	"strings"

	"github.com/gobidialogue/portal"
)

// maxNesting bounds how deeply a line may nest block quotes and lists. goldmark's parser
// takes time proportional to the square of the nesting depth, so a 1 MiB body of "- - - …"
// would take many minutes to parse; no real document nests more than a handful of levels.
const maxNesting = 100

// checkNesting rejects a body with a line nested deeper than maxNesting.
func checkNesting(body string) error {
	for line, rest := 1, body; rest != ""; line++ {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		if nestingDepth(l) > maxNesting {
			return portal.Errorf(portal.EINVALID,
				"line %d nests lists or block quotes more than %d levels deep", line, maxNesting)
		}
	}
	return nil
}

// nestingDepth estimates the container depth a line can open or continue: one level per
// block quote or list marker in its leading run, and one per two columns of indentation,
// the least a nested list needs.
func nestingDepth(line string) int {
	markers, cols := 0, 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ':
			cols++
		case c == '\t':
			cols += 4
		case c == '>':
			markers++
		case c == '-' || c == '+' || c == '*':
			if i+1 < len(line) && line[i+1] != ' ' && line[i+1] != '\t' {
				return markers + cols/2
			}
			markers++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == len(line) || (line[j] != '.' && line[j] != ')') {
				return markers + cols/2
			}
			markers++
			i = j
		default:
			return markers + cols/2
		}
	}
	return markers + cols/2
}

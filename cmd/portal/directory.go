package main

import (
	"context"
	"fmt"
	"github.com/gobidialogue/portal/search"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// runDirectory serves `portal directory find [filters] [WORDS...]`: the services the
// directory page would list for the same query, in the same order (one directory.Finder
// serves both), for someone at the server's terminal.
func runDirectory(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const use = "usage: portal directory find [--config FILE] [--data DIR] [--aimag A] [--soum S] [--type T] [--language L] [--open] [--always] [--free] [--lang mn|en] [WORDS...]"
	if len(args) == 0 || args[0] != "find" {
		fmt.Fprintln(stderr, use)
		return errUsage
	}
	fs, flags := newFlags("directory find", stderr)
	var q directory.Query
	fs.StringVar(&q.Aimag, "aimag", "", "the `id` of the aimag where help is needed (gazetteer ids: umnugovi, dornogovi, ulaanbaatar)")
	fs.StringVar(&q.Soum, "soum", "", "the `id` of a soum or district of the aimag")
	fs.StringVar(&q.Type, "type", "", "a service type `id`, such as shelter or hotline")
	fs.StringVar(&q.Language, "language", "", "a `code` (ISO 639-1) of a language the service speaks")
	fs.BoolVar(&q.OpenNow, "open", false, "open now, in Mongolia's time")
	fs.BoolVar(&q.Always, "always", false, "open 24 hours")
	fs.BoolVar(&q.Free, "free", false, "free of charge")
	lang := fs.String("lang", "mn", "the `language` (mn or en) names are written and sorted in")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	l, err := portal.ParseLanguage(*lang)
	if err != nil {
		return fmt.Errorf("--lang: %s", portal.ErrorMessage(err))
	}
	q.Text, q.SortLanguage = strings.Join(fs.Args(), " "), l
	a, err := flags.openSearch(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	if err := q.Check(a.gazetteer, a.terms); err != nil {
		return fmt.Errorf("directory find: %s", portal.ErrorMessage(err))
	}
	f := &directory.Finder{Store: a.db, Search: a.searcher, Logger: a.logger, Now: clock, Places: search.NewPlaceKinds(a.gazetteer)}
	res, err := f.Find(ctx, q)
	if err != nil {
		return err
	}
	switch {
	case a.searcher == nil && strings.TrimSpace(q.Text) != "":
		fmt.Fprintf(stderr, "The portal serve running at %s holds the search index: the words were matched in the names and descriptions only.\n", a.server.URL)
	case res.Degraded:
		fmt.Fprintln(stderr, "The search engine did not answer: the words were matched in the names and descriptions only.")
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, h := range res.Hits {
		var phones []string
		for _, p := range h.Service.Phones {
			phones = append(phones, p.Number)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", h.Service.ID, h.Service.Name.In(l), h.Org.Name.In(l), strings.Join(phones, ", "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d services.\n", len(res.Hits))
	return nil
}

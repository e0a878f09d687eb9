// Command portal runs the Gobi Dialogue Portal and its maintenance tasks:
//
//	portal serve [--addr HOST:PORT]   run the web portal
//	portal import PATH...            import Markdown guidelines (files or folders)
//	portal export DIR                write every guideline revision back to Markdown
//	portal import --hsds DIR         import the referral directory from HSDS 3.0 CSV tables
//	portal export --hsds DIR         write the public referral directory as HSDS 3.0
//	portal reindex                   rebuild the search index from the database
//	portal search check              report records missing from the index or stale
//	portal directory find [FILTERS] [WORDS...]  list services as the directory page does
//	portal user create --email E --name N --role R [--org ORG]
//	portal user link --email E       print a fresh one-time sign-in link for a person
//	portal version                   print the version
//
// Every command takes --config FILE (default ./config.yaml when present) and --data DIR
// (the embedded database and search index). While portal serve runs on the data directory,
// the other commands use its database (running.go). This is the only package that wires
// concrete parts together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "portal:", errText(err))
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

const usage = `Usage: portal COMMAND [flags]

Commands:
  serve [--addr HOST:PORT]   run the web portal (embedded database unless mongo.uri is set)
  import PATH...             import Markdown guidelines from files or folders
  export DIR                 write every guideline revision to DIR as Markdown
  import --hsds DIR          import the referral directory from the HSDS 3.0 CSV tables in
                             DIR/mn and DIR/en (all or nothing)
  export --hsds DIR          write the public referral directory to DIR/mn and DIR/en as
                             HSDS 3.0 (JSON, CSV tables and datapackage.json)
  reindex                    rebuild the search index from the database
  search check [-v]          report records missing from the search index, stale or
                             extra; exits 1 when there are any
  directory find [--aimag A] [--type T] [--open] ... [WORDS...]
                             list the services the directory page lists for the same
                             filters and words, in its order
  user create --email E --name N --role R [--org ORG]
                             create a person and print a one-time sign-in link
  user link --email E        print a fresh one-time sign-in link for a person (who
                             then chooses a new password): the way back in
  version                    print the version

Flags of every command:
  --config FILE   configuration file (default ./config.yaml when present)
  --data DIR      data directory of the embedded database and search index
                  (default ./data)

While portal serve runs on the data directory, the commands use its database; reindex
and search check leave its search index to it.
`

// run is main without the process: tests call it with their own arguments, environment
// and output, and cancel ctx to stop a server.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, rest, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, rest, getenv, stdout, stderr)
	case "reindex":
		return runReindex(ctx, rest, getenv, stdout, stderr)
	case "search":
		return runSearch(ctx, rest, getenv, stdout, stderr)
	case "directory":
		return runDirectory(ctx, rest, getenv, stdout, stderr)
	case "version":
		return runVersion(rest, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "portal: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// common holds the flags every command takes.
type common struct {
	config, data string
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("portal "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	fs.StringVar(&c.config, "config", "", "configuration `FILE` (default ./config.yaml when present)")
	fs.StringVar(&c.data, "data", "", "data `DIR` of the embedded database (overrides data_dir)")
	return fs, c
}

// config loads the configuration with the --data flag applied last.
func (c *common) load(getenv func(string) string) (*Config, error) {
	cfg, err := loadConfig(c.config, getenv)
	if err != nil {
		return nil, err
	}
	if c.data == "" {
		return cfg, nil // loadConfig validated it
	}
	cfg.DataDir = c.data
	return cfg, cfg.Validate()
}

// open loads the configuration and opens the database, for the commands that need both:
// the embedded one, or that of the portal serve running on the data directory.
func (c *common) open(ctx context.Context, getenv func(string) string, stderr io.Writer, use dataUse) (*app, error) {
	cfg, err := c.load(getenv)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, stderr, use)
}

// Package e2e drives the real portal in a real Chromium: a server started in-process on
// the embedded database with the starter content, and chromedp clicking through it as a
// person would. Any console error or uncaught exception fails the test.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// chromium returns the browser's path, or skips the test when there is none. Under CI=true
// a missing browser fails instead: CI must run the browser tests.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed; CI must run the browser tests (.ci/run installs it)")
	}
	t.Skip("Chromium is not installed: skipping browser tests (apt-get install -y chromium)")
	return ""
}

// startPortal serves the portal over a fresh database holding the starter guidelines.
func startPortal(t *testing.T) string {
	t.Helper()
	return portaltest.New(t, portaltest.Options{StarterGuidelines: true}).Serve(t)
}

// browser starts a headless Chromium sized like a phone and returns a context for its first
// tab, and a function that reports the console errors, warnings and uncaught exceptions
// seen so far (including the browser's own log, where CSP violations land).
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(390, 844),
		chromedp.Flag("accept-lang", "mn-MN,mn;q=0.9,en;q=0.5"), // a Mongolian reader
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })

	return ctx, watchConsole(ctx)
}

// watchConsole reports the console errors, warnings and uncaught exceptions of the tab
// of ctx, for browser and for tabs a test opens itself.
func watchConsole(ctx context.Context) func() []string {
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx) // creates the tab now, not in the goroutine
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// step runs actions with a deadline, failing the test with what it was doing.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action that returns a value.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(value(t, ctx, chromedp.Text(chromedp.CSS(sel))))
}

func TestReadGuidelineInBothLanguages(t *testing.T) {
	base := startPortal(t)
	ctx, problems := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// The home page opens in Mongolian, the site's first language.
	step(t, ctx, "open home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("h1")))
	if lang := value(t, ctx, chromedp.AttributeValue(css("html"), "lang")).Value; lang != "mn" {
		t.Fatalf("home page lang %q, want mn", lang)
	}
	if h1 := text(t, ctx, "h1"); !strings.Contains(h1, "Говьд") {
		t.Fatalf("home h1 %q, want Mongolian", h1)
	}

	// Switch to English with the language link; the choice is remembered across pages.
	step(t, ctx, "switch to English",
		chromedp.Click(css(`header a[hreflang="en"]`)),
		chromedp.WaitVisible(css(`html[lang="en"] h1`)),
		chromedp.Click(css(`nav.menu a[href="/guidelines"]`)),
		chromedp.WaitVisible(css(`html[lang="en"] .cards`)),
	)

	// Open the truck drivers guideline from the list.
	step(t, ctx, "open guideline",
		chromedp.Click(css(`.cards a[href="/guidelines/truck-drivers"]`)),
		chromedp.WaitVisible(css(".toc")),
	)
	if title := text(t, ctx, "h1"); !strings.Contains(title, "truck drivers") {
		t.Fatalf("guideline title %q", title)
	}
	if status := text(t, ctx, ".meta .status"); !strings.HasPrefix(status, "Open for comment") {
		t.Errorf("status %q, want open for comment", status)
	}
	if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.toc a').length`)); n < 6 {
		t.Fatalf("%d contents entries, want at least 6", n)
	}

	// Open the contents (closed on a phone) and follow the third entry: its heading scrolls
	// into view.
	step(t, ctx, "follow contents", chromedp.Click(css(`details.toc > summary`)),
		chromedp.Click(css(`.toc li:nth-child(3) a`)), chromedp.Sleep(300*time.Millisecond))
	target := value(t, ctx, chromedp.Evaluate[string](`(() => {
		const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
		if (!el) return "missing " + location.hash;
		const r = el.getBoundingClientRect();
		return r.top >= 0 && r.top < window.innerHeight ? el.tagName : "off-screen " + r.top; })()`))
	if !strings.HasPrefix(target, "H") {
		t.Fatalf("contents link target: %s; want a heading in view", target)
	}

	// Open the diff from the previous revision.
	step(t, ctx, "open diff",
		chromedp.Click(css(`.guideline-foot a[href*="/diff"]`)),
		chromedp.WaitVisible(css(".diff")),
	)
	if h := text(t, ctx, "main h2"); !strings.Contains(h, "revision 1 to revision 2") {
		t.Fatalf("diff heading %q", h)
	}
	ins := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.diff ins').length`))
	del := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.diff del').length`))
	if ins == 0 || del == 0 {
		t.Fatalf("diff shows %d insertions and %d deletions", ins, del)
	}

	// Unchanged paragraphs are folded; opening a fold shows them.
	step(t, ctx, "open fold", chromedp.Click(css("details.unchanged summary")))
	if !value(t, ctx, chromedp.Evaluate[bool](`document.querySelector('details.unchanged').open`)) {
		t.Error("the unchanged paragraphs did not unfold")
	}

	// And back to Mongolian on the same diff.
	step(t, ctx, "switch to Mongolian",
		chromedp.Click(css(`header a[hreflang="mn"]`)),
		chromedp.WaitVisible(css(`html[lang="mn"] .diff`)),
	)
	if h := text(t, ctx, "main h2"); !strings.Contains(h, "хувилбараас") {
		t.Fatalf("Mongolian diff heading %q", h)
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// screenshot saves a full-page PNG of the tab as DIR/name.png when E2E_SCREENSHOTS=DIR is
// set, for a person to look at the pages a test went through.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := value(t, ctx, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

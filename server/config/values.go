package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"skiff/server/membership"
)

// The flag.Value types below are the one place a textual setting becomes a
// typed field, whether it came from a flag, a SKIFF_ variable or the config
// file. A Set error says what a good value looks like; the caller adds which
// setting it was.

// stringValue is a free-form string.
type stringValue struct{ p *string }

func (v stringValue) Set(s string) error { *v.p = s; return nil }
func (v stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// boolValue is true or false; as a flag it may be given without a value.
type boolValue struct{ p *bool }

func (v boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("parse error; use true or false")
	}
	*v.p = b
	return nil
}
func (v boolValue) String() string   { return strconv.FormatBool(v.p != nil && *v.p) }
func (v boolValue) IsBoolFlag() bool { return true }

// uintValue is a non-negative whole number.
type uintValue[T uint | uint64] struct{ p *T }

func (v uintValue[T]) Set(s string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return errors.New("parse error; use a whole number such as 5")
	}
	*v.p = T(n)
	return nil
}
func (v uintValue[T]) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatUint(uint64(*v.p), 10)
}

// millisValue is a duration given as a whole number of milliseconds, as
// etcd's --heartbeat-interval and --election-timeout are.
type millisValue struct{ p *time.Duration }

func (v millisValue) Set(s string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return errors.New("parse error; use a whole number of milliseconds such as 100")
	}
	*v.p = time.Duration(n) * time.Millisecond
	return nil
}
func (v millisValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatInt(v.p.Milliseconds(), 10)
}

// urlsValue is a comma-separated list of member URLs (membership.ParseURL).
type urlsValue struct{ p *[]url.URL }

func (v urlsValue) Set(s string) error {
	us, err := membership.ParseURLs(s)
	if err != nil {
		return err
	}
	*v.p = us
	return nil
}
func (v urlsValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(membership.URLStrings(*v.p), ",")
}

// listValue is a comma-separated list of strings; empty items are dropped.
type listValue struct{ p *[]string }

func (v listValue) Set(s string) error {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	*v.p = out
	return nil
}
func (v listValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

// choiceValue is one of a fixed set of words.
type choiceValue struct {
	p       *string
	choices []string
}

func (v choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("invalid value; use one of %s", strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}
func (v choiceValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

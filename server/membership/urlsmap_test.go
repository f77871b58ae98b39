package membership

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseURLsMap(t *testing.T) {
	m, err := ParseURLsMap("b=http://10.0.0.2:2380, a=http://10.0.0.1:2381,a=http://10.0.0.1:2380,")
	require.NoError(t, err)
	assert.Equal(t, URLsMap{
		"a": {"http://10.0.0.1:2380", "http://10.0.0.1:2381"},
		"b": {"http://10.0.0.2:2380"},
	}, m)
	assert.Equal(t, []string{"a", "b"}, m.Names())
	assert.Equal(t, "a=http://10.0.0.1:2380,a=http://10.0.0.1:2381,b=http://10.0.0.2:2380", m.String())
}

func TestParseURLsMapRejectsBadItems(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo", `item "foo" is not name=URL`},
		{"=http://a:1", `empty member name`},
		{"a=ftp://h:1", `has scheme "ftp"; skiff needs http or https`},
		{"a=http://h", `does not have the form "host:port"`},
		{"a=http://h:1/x", `must not contain a path`},
		{"a=http://:2380", `URL "http://:2380" has no host; name one, as in http://127.0.0.1:2380`},
		{"a=http://u:p@h:1", `must not contain a path, query or user info`},
		{"a=127.0.0.1:2380", `not a URL`},
		{"a=localhost:2380", `has scheme "localhost"`},
		{"a=http://h:1,b=http://h:1", `is listed for both "a" and "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseURLsMap(tt.in)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestParseURLsSkipsEmptyItemsAndCanonicalizes(t *testing.T) {
	us, err := ParseURLs("HTTP://127.0.0.1:2379/, ,https://h:1")
	require.NoError(t, err)
	assert.Equal(t, []string{"http://127.0.0.1:2379", "https://h:1"}, URLStrings(us))
	us, err = ParseURLs("")
	require.NoError(t, err)
	assert.Empty(t, us)
}

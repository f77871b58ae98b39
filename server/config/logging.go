package config

import "log/slog"

// SlogLevel returns --log-level as a log/slog level. etcd's "panic" and
// "fatal" have no slog counterpart; they mean "error": only errors are
// logged, and the member keeps running.
func (c *Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error", "panic", "fatal":
		return slog.LevelError
	}
	return slog.LevelInfo
}

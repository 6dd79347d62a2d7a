package formats

// TTLClasser is implemented by formats whose metadata routes carry TTL classes:
// it lists every class Route can return, so a configured ttl key that names none
// of them is refused instead of being ignored.
type TTLClasser interface {
	TTLClasses() []string
}

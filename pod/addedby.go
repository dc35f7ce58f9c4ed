package pod

import "context"

type addedByKey struct{}

// WithAddedBy returns ctx that makes the resources Put writes with it
// marked as added by who (Meta.AddedBy): for an organisation that adds
// documents to a pod it started for someone in custody, "org:" and its
// slug (see package onboard). It takes the place of the helper's account
// Put would otherwise record.
func WithAddedBy(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, addedByKey{}, who)
}

func addedByFrom(ctx context.Context) string {
	s, _ := ctx.Value(addedByKey{}).(string)
	return s
}

// AddedByOf is what WithAddedBy put in ctx ("" if nothing).
func AddedByOf(ctx context.Context) string { return addedByFrom(ctx) }

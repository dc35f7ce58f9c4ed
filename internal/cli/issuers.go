package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/schemas"
)

func init() {
	register("issuer", "register an issuing organisation: satchel issuer create --slug SLUG --name NAME [--signs KINDS] | update --slug SLUG --signs KINDS", runIssuer)
	register("enrol", "let an issuer send you signed records: satchel enrol ISSUER [--as NAME] | --list | --withdraw ISSUER", runEnrol)
	register("issue", "(issuer staff) issue a signed record: satchel issue qualification|custody-period|stay|release --to ENROLMENT ... | satchel issue csv FILE", runIssue)
	register("file", "file a record from your inbox: satchel file inbox/NAME [FOLDER] (default: where its kind belongs)", runFile)
}

func runIssuer(ctx context.Context, env *Env, args []string) error {
	switch firstArg(args) {
	case "create":
	case "update":
		return runIssuerUpdate(ctx, env, args[1:])
	default:
		return usagef("use: satchel issuer create --slug SLUG --name \"HMP Example - Education Department\" [--signs qualification,custody-period,stay,release],\n" +
			"  or satchel issuer update --slug SLUG --signs KINDS")
	}
	fs := flags(env, "issuer create", "--slug SLUG --name NAME [--signs KINDS] [--data DIR]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	slug := fs.String("slug", "", "short name, e.g. hmp-example-education")
	name := fs.String("name", "", "the organisation's name as people see it")
	signs := fs.String("signs", "qualification", "the kinds of record it may sign, separated by commas: qualification, custody-period, stay, release (or all)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := issuer.CheckSlug(*slug); err != nil {
		return usagef("%v", err)
	}
	kinds, err := issuer.ParseKinds(*signs)
	if err != nil {
		return usagef("--signs: %v", err)
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	o, err := b.Issuers.CreateOrg(ctx, *slug, *name, kinds...)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Registered %s as %s. Its page: %s/issuers/%s\n", o.Name, b.Issuers.DID(o.Slug), b.Config.BaseURL, o.Slug)
	fmt.Fprintf(env.Stderr, "%s\n", maySign(o))
	fmt.Fprintf(env.Stderr, "Make staff accounts with: satchel account create --kind issuer --org %s --username NAME --display-name \"Full Name\"\n", o.Slug)
	return nil
}

// runIssuerUpdate changes what a registered organisation may sign.
func runIssuerUpdate(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "issuer update", "--slug SLUG --signs KINDS [--data DIR]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	slug := fs.String("slug", "", "the organisation's short name")
	signs := fs.String("signs", "", "the kinds of record it may sign, separated by commas: qualification, custody-period, stay, release (or all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" || *signs == "" {
		return usagef("say which organisation and what it may sign: satchel issuer update --slug SLUG --signs qualification,custody-period")
	}
	kinds, err := issuer.ParseKinds(*signs)
	if err != nil {
		return usagef("--signs: %v", err)
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	o, err := b.Issuers.SetSigns(ctx, *slug, kinds)
	if errors.Is(err, issuer.ErrNoOrg) {
		return fmt.Errorf("there is no issuer called %q: see satchel issuer create", *slug)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, maySign(o))
	return nil
}

// maySign says what organisation o may sign: "HMP Example Education may
// sign qualifications and custody periods."
func maySign(o issuer.Org) string {
	var what []string
	for _, k := range o.Kinds() {
		what = append(what, k.Plural)
	}
	list := strings.Join(what, ", ")
	if n := len(what); n > 1 {
		list = strings.Join(what[:n-1], ", ") + " and " + what[n-1]
	}
	return o.Name + " may sign " + list + "."
}

func runEnrol(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "enrol", "ISSUER [--as NAME] | --list | --withdraw ISSUER")
	as := fs.String("as", "", "the name the issuer will know you by (default: your display name)")
	list := fs.Bool("list", false, "list the issuers you let send you records")
	withdraw := fs.String("withdraw", "", "stop an issuer sending you records")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	api := c.sess.Server + "/api/v1"
	switch {
	case *list:
		var out struct{ Enrolments []issuer.Enrolment }
		if err := c.call(ctx, http.MethodGet, api+"/enrolments", nil, &out); err != nil {
			return err
		}
		if len(out.Enrolments) == 0 {
			fmt.Fprintln(env.Stdout, "You have not let any issuer send you records.")
		}
		for _, e := range out.Enrolments {
			fmt.Fprintf(env.Stdout, "%s can send you records (it knows you as %s; your enrolment code is %s).\n", clean(e.Org), clean(e.LeaverName), clean(e.ID))
		}
	case *withdraw != "":
		if err := c.call(ctx, http.MethodDelete, api+"/issuers/"+url.PathEscape(*withdraw)+"/enrolment", nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s can no longer send you records.\n", *withdraw)
	case len(rest) == 1:
		body, _ := json.Marshal(map[string]string{"name": *as})
		var e issuer.Enrolment
		if err := c.call(ctx, http.MethodPost, api+"/issuers/"+url.PathEscape(rest[0])+"/enrolment", body, &e); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s can now send signed records to your inbox. Give them your enrolment code: %s\n", clean(e.Org), clean(e.ID))
	default:
		return usagef("name one issuer: satchel enrol ISSUER, or use --list or --withdraw ISSUER")
	}
	return nil
}

// issueKinds are the records "satchel issue" signs, by the word that
// names them on the command line, with their key in the issuing API.
var issueKinds = map[string]string{"qualification": "qualification", "custody-period": "custodyPeriod", "stay": "stay", "release": "releaseDocument"}

func runIssue(ctx context.Context, env *Env, args []string) error {
	if _, ok := issueKinds[firstArg(args)]; !ok && firstArg(args) != "csv" {
		return usagef("use: satchel issue qualification --to ENROLMENT --course NAME --level LEVEL --start DATE --end DATE --outcome OUTCOME --establishment PLACE,\n" +
			"  satchel issue custody-period --to ENROLMENT --establishment \"HMP Example\" --from DATE [--until DATE],\n" +
			"  satchel issue stay --to ENROLMENT --kind hostel|approved-premises [--provider NAME] --street S --town T --postcode P --from DATE [--until DATE],\n" +
			"  satchel issue release --to ENROLMENT --establishment \"HMP Example\" --released DATE [--licence-end DATE],\n" +
			"  or satchel issue csv FILE (qualifications)")
	}
	fs := flags(env, "issue "+args[0], "")
	to := fs.String("to", "", "the leaver's enrolment code")
	var q issuer.Qualification
	var record any = &q
	switch args[0] {
	case "qualification", "csv":
		fs.StringVar(&q.CourseName, "course", "", "course or qualification name")
		fs.StringVar(&q.CourseCode, "code", "", "course code")
		fs.BoolVar(&q.Accredited, "accredited", false, "the course is accredited")
		fs.StringVar(&q.AwardingBody, "awarding-body", "", "awarding body")
		fs.StringVar(&q.Level, "level", "", "level, e.g. Entry 3, Level 1, Level 2")
		fs.StringVar(&q.LearningStart, "start", "", "learning start date, e.g. 2025-01-06")
		fs.StringVar(&q.LearningEnd, "end", "", "learning end date")
		fs.StringVar(&q.Outcome, "outcome", "", "outcome, e.g. Achieved")
		fs.StringVar(&q.Grade, "grade", "", "grade")
		fs.StringVar(&q.Establishment, "establishment", "", "where it was studied")
	case "custody-period":
		var c issuer.CustodyPeriod
		fs.StringVar(&c.Establishment, "establishment", "", "the prison, e.g. HMP Example")
		fs.StringVar(&c.From, "from", "", "the date custody began, e.g. 2023-02-01")
		fs.StringVar(&c.To, "until", "", "the date custody ended (leave out while still in custody)")
		record = &c
	case "stay":
		var st issuer.Stay
		st.Address = &issuer.PostalAddress{}
		fs.StringVar(&st.Place, "kind", "", "hostel or approved-premises")
		fs.StringVar(&st.Provider, "provider", "", "the hostel or its provider")
		fs.StringVar(&st.Address.StreetAddress, "street", "", "street")
		fs.StringVar(&st.Address.AddressLocality, "town", "", "town or city")
		fs.StringVar(&st.Address.PostalCode, "postcode", "", "postcode")
		fs.StringVar(&st.From, "from", "", "the date they moved in, e.g. 2025-02-01")
		fs.StringVar(&st.To, "until", "", "the date they moved out (leave out while they still live there)")
		record = &st
	case "release":
		var rd issuer.ReleaseDocument
		fs.StringVar(&rd.Establishment, "establishment", "", "the establishment released from, e.g. HMP Example")
		fs.StringVar(&rd.ReleaseDate, "released", "", "the date of release, e.g. 2025-01-31")
		fs.StringVar(&rd.LicenceEnd, "licence-end", "", "the date the licence ends, if released on licence")
		record = &rd
	}
	rest, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	org, err := c.org(ctx)
	if err != nil {
		return err
	}
	api := c.sess.Server + "/api/v1/issuers/" + url.PathEscape(org)
	if args[0] == "csv" {
		if len(rest) != 1 {
			return usagef("name the CSV file: satchel issue csv FILE")
		}
		data, err := os.ReadFile(rest[0])
		if err != nil {
			return fmt.Errorf("cannot read %s: %v", rest[0], pathErr(err))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api+"/issue.csv", strings.NewReader(string(data)))
		req.Header.Set("Content-Type", "text/csv")
		var out struct {
			Issued, Failed int
			Rows           []issuer.RowResult
		}
		if err := c.doJSON(req, &out); err != nil {
			return err
		}
		for _, r := range out.Rows {
			if r.Issued {
				fmt.Fprintf(env.Stdout, "row %d: issued (%s)\n", r.Row, r.ID)
			} else {
				fmt.Fprintf(env.Stdout, "row %d: NOT issued: %s\n", r.Row, clean(r.Error))
			}
		}
		fmt.Fprintf(env.Stderr, "%d issued, %d not issued.\n", out.Issued, out.Failed)
		if out.Failed > 0 {
			return fmt.Errorf("%d rows were not issued; fix them and issue those rows again", out.Failed)
		}
		return nil
	}
	if *to == "" || len(rest) != 0 {
		return usagef("say who it is for: --to ENROLMENT (the code the leaver gave you)")
	}
	body, _ := json.Marshal(map[string]any{"enrolment": *to, issueKinds[args[0]]: record})
	var out struct{ ID string }
	if err := c.call(ctx, http.MethodPost, api+"/issue", body, &out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Issued %s (%s) into the leaver's inbox.\n", record.(issuer.Record).Title(), out.ID)
	return nil
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// org reads the signed-in issuer's organisation from the session's token.
func (c *conn) org(ctx context.Context) (string, error) {
	parts := strings.Split(c.sess.AccessToken, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("sign in again: satchel login")
	}
	var claims struct{ Org string }
	if b, err := decodeSegment(parts[1]); err == nil {
		json.Unmarshal(b, &claims)
	}
	if claims.Org == "" {
		return "", fmt.Errorf("this account is not an issuer's staff account")
	}
	return claims.Org, nil
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// runFile moves a record from inbox/ into a folder (by default where its
// kind belongs: qualifications/, housing/ for a custody period): it is copied with If-None-Match, so nothing is overwritten,
// and removed from the inbox only once the copy is stored.
func runFile(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "file", "inbox/NAME [FOLDER]")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) < 1 || len(rest) > 2 || !strings.HasPrefix(rest[0], "inbox/") || strings.HasSuffix(rest[0], "/") {
		return usagef("name one record in your inbox: satchel file inbox/NAME [FOLDER]")
	}
	folder := ""
	if len(rest) == 2 {
		folder = strings.TrimSuffix(rest[1], "/") + "/"
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	from, err := c.sess.resolve(rest[0])
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, from, nil)
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return err
	}
	if folder == "" {
		// Where its kind of record belongs: a custody period in housing/.
		var doc map[string]any
		json.Unmarshal(body, &doc)
		folder = schemas.SubjectType(doc).Containers[0]
	}
	to, err := c.sess.resolve(folder + rest[0][len("inbox/"):])
	if err != nil {
		return err
	}
	put, _ := http.NewRequestWithContext(ctx, http.MethodPut, to, bytes.NewReader(body))
	put.Header.Set("Content-Type", resp.Header.Get("Content-Type"))
	put.Header.Set("If-None-Match", "*")
	if resp, err = c.do(put); err != nil {
		return err
	}
	resp.Body.Close()
	if err := c.call(ctx, http.MethodDelete, from, nil, nil); err != nil {
		return fmt.Errorf("filed as %s, but it could not be removed from the inbox: %v", to, err)
	}
	fmt.Fprintf(env.Stdout, "Filed as %s\n", to)
	return nil
}

package fleet

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Options configure an S3Bucket.
type S3Options struct {
	Endpoint  string // base URL of an S3-compatible server; empty is AWS itself
	Bucket    string
	Prefix    string // prepended to every key, for sharing a bucket
	Region    string // default us-east-1
	PathStyle bool   // bucket in the path, not the host name: most self-hosted servers
	// Credentials is "env:NAME" or "file:PATH" holding "ACCESS:SECRET"; empty takes
	// the standard AWS chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles...).
	Credentials string
	HTTPClient  *http.Client // nil: the SDK's own (TLS verification on)
}

// S3Bucket is a Bucket on an S3-compatible server, through the AWS SDK for Go v2.
type S3Bucket struct {
	client *s3.Client
	bucket string
	prefix string
}

// NewS3Bucket builds the client; it does not contact the server.
func NewS3Bucket(ctx context.Context, o S3Options) (*S3Bucket, error) {
	if o.Bucket == "" {
		return nil, errors.New("fleet: s3 bucket name is empty")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	loads := []func(*config.LoadOptions) error{config.WithRegion(o.Region)}
	if o.Credentials != "" {
		access, secret, err := readKeyPair(o.Credentials)
		if err != nil {
			return nil, err
		}
		loads = append(loads, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(access, secret, "")))
	}
	if o.HTTPClient != nil {
		loads = append(loads, config.WithHTTPClient(o.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("fleet: s3 config: %w", err)
	}
	if o.Endpoint != "" {
		if u, err := url.Parse(o.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("fleet: s3 endpoint %q is not an http(s) URL", o.Endpoint)
		}
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
		// Checksums only where the tier asks for one (a blob's sha256): servers
		// other than AWS differ in which trailing checksums they take.
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &S3Bucket{client: client, bucket: o.Bucket, prefix: strings.TrimSuffix(o.Prefix, "/")}, nil
}

// readKeyPair reads "ACCESS:SECRET" from env:NAME or file:PATH.
func readKeyPair(spec string) (access, secret string, err error) {
	var raw string
	switch {
	case strings.HasPrefix(spec, "env:"):
		raw = os.Getenv(strings.TrimPrefix(spec, "env:"))
		if raw == "" {
			return "", "", fmt.Errorf("fleet: s3 credentials: %s is not set", strings.TrimPrefix(spec, "env:"))
		}
	case strings.HasPrefix(spec, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(spec, "file:"))
		if err != nil {
			return "", "", fmt.Errorf("fleet: s3 credentials: %w", err)
		}
		raw = string(b)
	default:
		return "", "", errors.New(`fleet: s3 credentials must be "env:NAME" or "file:PATH"`)
	}
	access, secret, ok := strings.Cut(strings.TrimSpace(raw), ":")
	if !ok || access == "" || secret == "" {
		return "", "", errors.New("fleet: s3 credentials must read ACCESS:SECRET")
	}
	return access, secret, nil
}

func (b *S3Bucket) full(key string) string {
	if b.prefix == "" {
		return key
	}
	return b.prefix + "/" + key
}

func (b *S3Bucket) rel(key string) string {
	if b.prefix == "" {
		return key
	}
	return strings.TrimPrefix(key, b.prefix+"/")
}

func (b *S3Bucket) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, o PutOptions) error {
	in := &s3.PutObjectInput{Bucket: &b.bucket, Key: aws.String(b.full(key)), Body: body}
	if size >= 0 {
		in.ContentLength = aws.Int64(size)
	}
	if o.IfAbsent {
		in.IfNoneMatch = aws.String("*")
	}
	if o.SHA256 != nil {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(o.SHA256))
	}
	_, err := b.client.PutObject(ctx, in)
	return mapErr(err)
}

func (b *S3Bucket) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: aws.String(b.full(key))})
	if err != nil {
		return nil, Object{}, mapErr(err)
	}
	return out.Body, Object{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag), LastModified: aws.ToTime(out.LastModified)}, nil
}

func (b *S3Bucket) Head(ctx context.Context, key string) (Object, error) {
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: aws.String(b.full(key))})
	if err != nil {
		return Object{}, mapErr(err)
	}
	return Object{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag), LastModified: aws.ToTime(out.LastModified)}, nil
}

func (b *S3Bucket) Delete(ctx context.Context, key, ifMatch string) error {
	in := &s3.DeleteObjectInput{Bucket: &b.bucket, Key: aws.String(b.full(key))}
	if ifMatch != "" {
		in.IfMatch = aws.String(ifMatch)
	}
	_, err := b.client.DeleteObject(ctx, in)
	if err = mapErr(err); errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) {
		return nil // gone already, or replaced: either way not ours to delete
	}
	return err
}

func (b *S3Bucket) List(ctx context.Context, prefix string, fn func(Object) error) error {
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: &b.bucket, Prefix: aws.String(b.full(prefix))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return mapErr(err)
		}
		for _, o := range page.Contents {
			obj := Object{Key: b.rel(aws.ToString(o.Key)), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag), LastModified: aws.ToTime(o.LastModified)}
			if err := fn(obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// mapErr turns the HTTP statuses the tier acts on into ErrNotFound and ErrExists.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("%w: %v", ErrNotFound, err)
		case http.StatusPreconditionFailed, http.StatusConflict:
			return fmt.Errorf("%w: %v", ErrExists, err)
		}
	}
	return err
}

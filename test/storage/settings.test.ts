import { loadConfig } from '../../server/config';

describe('the S3 settings', () => {
  it('keep files on local disk when no bucket is named, also when the S3 variables are empty', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).s3).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test', S3_ENDPOINT: '', S3_BUCKET: '', S3_ACCESS_KEY_ID: '', S3_SECRET_ACCESS_KEY: '' }).s3).toBeUndefined();
  });

  it('name a bucket with its endpoint (bucket in the path), region and keys', () => {
    const c = loadConfig({ NODE_ENV: 'test', S3_ENDPOINT: 'http://127.0.0.1:9000/', S3_BUCKET: 'satudata', S3_REGION: 'ap-southeast-3', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' });
    expect(c.s3).toEqual({ endpoint: 'http://127.0.0.1:9000', bucket: 'satudata', region: 'ap-southeast-3', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true });
    // AWS itself: no endpoint, virtual-host style, the SDK's own credentials.
    expect(loadConfig({ NODE_ENV: 'test', S3_BUCKET: 'satudata' }).s3).toEqual({ bucket: 'satudata', region: 'us-east-1', forcePathStyle: false });
  });

  it('refuse S3 variables without a bucket, one key without the other, and an endpoint that is not a URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(/S3_ENDPOINT set without S3_BUCKET/);
    expect(() => loadConfig({ NODE_ENV: 'test', S3_BUCKET: 'satudata', S3_ACCESS_KEY_ID: 'k' })).toThrow(/both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'test', S3_BUCKET: 'satudata', S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT/);
  });
});

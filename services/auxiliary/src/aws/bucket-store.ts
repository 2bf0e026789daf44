import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsCall } from './aws-call';
import { collectPages } from './pages';

/** The S3 reads the service makes. */
export class BucketStore {
  constructor(
    private readonly s3: S3Client,
    private readonly call: AwsCall,
  ) {}

  /** Every bucket name in the account, sorted, following ContinuationToken across pages. */
  async listNames(): Promise<string[]> {
    const names = await collectPages(async (token) => {
      const page = await this.call('ListBuckets', 'the bucket list', (abortSignal) =>
        this.s3.send(new ListBucketsCommand({ MaxBuckets: 1000, ContinuationToken: token }), { abortSignal }),
      );
      return { items: (page.Buckets ?? []).map((bucket) => bucket.Name), next: page.ContinuationToken };
    });
    return names.sort();
  }
}

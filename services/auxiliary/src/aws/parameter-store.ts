import { DescribeParametersCommand, GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCall } from './aws-call';
import { collectPages } from './pages';

/** The SSM reads the service makes: one function per operation, pagination included. */
export class ParameterStore {
  constructor(
    private readonly ssm: SSMClient,
    private readonly call: AwsCall,
  ) {}

  /** Every parameter name visible to the caller, sorted (DescribeParameters returns at most 50 a page). */
  listNames(): Promise<string[]> {
    return this.#describe('the parameter list', undefined);
  }

  /** The names under `path` (e.g. `/test/apps/`), at any depth, sorted. */
  listNamesUnder(path: string): Promise<string[]> {
    // SSM's Path filter takes the path without its trailing slash.
    const filter = { Key: 'Path', Option: 'Recursive', Values: [path.replace(/\/+$/, '')] };
    return this.#describe(`the parameters under ${path}`, [filter]);
  }

  /** The decrypted value of one parameter. */
  async getValue(name: string): Promise<string> {
    const result = await this.call('GetParameter', `parameter ${name}`, (abortSignal) =>
      this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal }),
    );
    return result.Parameter?.Value ?? '';
  }

  /** The cheapest call that proves SSM answers with these credentials (for /readyz). */
  async ping(): Promise<void> {
    await this.call(
      'DescribeParameters',
      'the parameter store',
      (abortSignal) => this.ssm.send(new DescribeParametersCommand({ MaxResults: 1 }), { abortSignal }),
      'readiness',
    );
  }

  async #describe(
    subject: string,
    filters: { Key: string; Option: string; Values: string[] }[] | undefined,
  ): Promise<string[]> {
    const names = await collectPages(async (token) => {
      const page = await this.call('DescribeParameters', subject, (abortSignal) =>
        this.ssm.send(
          new DescribeParametersCommand({ MaxResults: 50, NextToken: token, ParameterFilters: filters }),
          { abortSignal },
        ),
      );
      return { items: (page.Parameters ?? []).map((parameter) => parameter.Name), next: page.NextToken };
    });
    return names.sort();
  }
}

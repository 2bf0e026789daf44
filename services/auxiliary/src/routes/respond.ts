import type { FastifyReply } from 'fastify';
import { AwsCallError } from '../aws/aws-call';
import type { CacheResult } from '../cache/expiring-cache';

export type VersionBody = { auxiliary_version: string };

/** Turns a classified AWS failure into the contract's problem; anything else stays a 500. */
export async function fromAws<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    throw error instanceof AwsCallError ? error.toProblem() : error;
  }
}

/** Marks a response served from an expired entry because AWS failed (stale-if-error). */
export function withCacheStatus<B>(reply: FastifyReply, result: CacheResult<unknown>, body: B): B {
  if (result.stale) reply.header('x-cache', 'stale');
  return body;
}

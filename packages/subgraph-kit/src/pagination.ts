import { Directive, Field, ObjectType } from 'type-graphql';
import { badUserInput } from '@eventix/errors';

/** Relay-style page info; defined once and shared by the subgraphs that paginate. */
@ObjectType()
@Directive('@shareable')
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Validates `first`: 0 gives an empty page, above `max` is refused rather than silently cut. */
export function pageSize(first: number | undefined | null, fallback: number, max: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > max) throw badUserInput('first', `must be between 0 and ${max}`);
  return size;
}

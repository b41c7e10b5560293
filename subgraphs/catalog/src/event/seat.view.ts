import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { MoneyScalar } from '@eventix/subgraph-kit';
import { Section } from '../venue/venue.entity';

/** The fields of a Section the seat map shows (the GraphQL Section type's fields). */
export interface SectionView {
  id: string;
  name: string;
  rows: number;
  seatsPerRow: number;
}

/**
 * The GraphQL Seat: a plain read model, not the MikroORM entity. A stadium's map is 20,000 of
 * these, so they come from lean SQL rows (no entity hydration, no identity map), carry their
 * price already formatted and share one object per section, and every field is a plain
 * property (`simpleResolvers`: graphql-js reads it directly, no resolver call per seat).
 */
@ObjectType('Seat', { description: 'One seat of an event, with its price and its position on the seat map', simpleResolvers: true })
@Directive('@key(fields: "id")')
export class SeatView {
  @Field(() => ID)
  id!: string;

  @Field()
  row!: string;

  @Field(() => Int)
  number!: number;

  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Section)
  section!: SectionView;

  @Field(() => MoneyScalar)
  price!: string;
}

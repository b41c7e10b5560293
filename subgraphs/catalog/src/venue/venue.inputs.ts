import { Field, InputType, Int } from 'type-graphql';
import { MoneyScalar } from '@eventix/subgraph-kit';

@InputType()
export class SectionInput {
  @Field({ description: "Shown on tickets with the row and seat number; different from the venue's other sections (ignoring case)" })
  name!: string;

  @Field(() => Int)
  rows!: number;

  @Field(() => Int)
  seatsPerRow!: number;

  @Field(() => MoneyScalar, { description: 'Price of every seat in the section, e.g. "49.90"' })
  price!: string;
}

@InputType()
export class CreateVenueInput {
  @Field()
  name!: string;

  @Field()
  city!: string;

  @Field(() => [SectionInput])
  sections!: SectionInput[];
}

import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageInfo } from '@eventix/subgraph-kit';
import { Event, SingleSeatRule } from './event.entity';

@InputType()
export class CreateEventInput {
  @Field(() => ID)
  venueId!: string;

  @Field()
  title!: string;

  @Field(() => Date)
  startsAt!: Date;

  @Field({ defaultValue: 'USD' })
  currency!: string;

  @Field(() => SingleSeatRule, { nullable: true, description: 'The lone-seat rule; PREVENT when not given' })
  singleSeatRule?: SingleSeatRule | null;
}

@ObjectType()
export class EventEdge {
  @Field()
  cursor!: string;

  @Field(() => Event)
  node!: Event;
}

@ObjectType()
export class EventConnection {
  @Field(() => [EventEdge])
  edges!: EventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export const PAGE_SIZE = { default: 20, max: 100 } as const;


import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { pageOf } from '@shared/http/openapi';

/*
 * The event log as the OpenAPI document describes it (API.md "Event log"). Documentation only:
 * the routes return the reader's SealedEvent, VerifyResult and checkpoints.
 */

@ApiSchema({ name: 'EventActor' })
export class EventActorResponse {
  @ApiProperty({ type: String, enum: ['user', 'system'] })
  type!: string;

  @ApiProperty({
    type: String,
    description: 'a user id (token sub) or a system process',
    example: 'agent-7',
  })
  id!: string;
}

@ApiSchema({ name: 'EventSubject' })
export class EventSubjectResponse {
  @ApiProperty({ type: String, example: 'comment' })
  type!: string;

  @ApiProperty({ type: String, example: '9d1c4f3a-6a2b-4c7e-8f00-3b5e2a1d9c88' })
  id!: string;
}

@ApiSchema({ name: 'Event' })
export class EventResponse {
  @ApiProperty({ type: 'integer', description: 'per tenant 1, 2, 3, … with no gap', example: 42 })
  seq!: number;

  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, example: 'tiktok.comment.replied' })
  type!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ type: String, example: 'acme' })
  tenant!: string;

  @ApiProperty({ type: EventActorResponse })
  actor!: EventActorResponse;

  @ApiProperty({ type: EventSubjectResponse })
  subject!: EventSubjectResponse;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the event’s data; {"redacted": true} once erased (dataDigest stays)',
  })
  data!: Record<string, unknown>;

  @ApiProperty({
    type: String,
    pattern: '^[0-9a-f]{64}$',
    description: 'lowercase hex SHA-256 of the JCS form of data',
  })
  dataDigest!: string;

  @ApiProperty({
    type: String,
    pattern: '^[0-9a-f]{64}$',
    description: 'the previous event’s hash (64 zeros for the first)',
  })
  prevHash!: string;

  @ApiProperty({
    type: String,
    pattern: '^[0-9a-f]{64}$',
    description:
      'SHA-256 of prevHash followed by the JCS form of {seq, id, type, occurredAt, tenant, actor, subject, dataDigest}',
  })
  hash!: string;
}

export const EventListResponse = pageOf(EventResponse, 'EventList');

@ApiSchema({ name: 'VerifyResult' })
export class VerifyResultResponse {
  @ApiProperty({ type: Boolean, description: 'the chain and the checkpoints hold' })
  ok!: boolean;

  @ApiProperty({ type: 'integer', description: 'events checked' })
  checked!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'the first event that does not verify',
  })
  firstBadSeq!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'the seq of the newest checkpoint' })
  lastCheckpointSeq!: number | null;

  @ApiProperty({ type: 'integer', description: 'events whose data was redacted' })
  redacted!: number;
}

@ApiSchema({ name: 'Checkpoint' })
export class CheckpointResponse {
  @ApiProperty({ type: String, example: 'acme' })
  tenant!: string;

  @ApiProperty({ type: 'integer' })
  seq!: number;

  @ApiProperty({ type: String, pattern: '^[0-9a-f]{64}$' })
  hash!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  signedAt!: string;

  @ApiProperty({
    type: String,
    format: 'byte',
    description: 'base64 Ed25519 signature over the JCS form of {tenant, seq, hash, signedAt}',
  })
  signature!: string;
}

@ApiSchema({ name: 'CheckpointList' })
export class CheckpointListResponse extends pageOf(CheckpointResponse, 'CheckpointPage') {
  @ApiProperty({
    type: String,
    format: 'byte',
    description: 'base64 of the SPKI DER Ed25519 public key that signs the checkpoints',
  })
  publicKey!: string;
}

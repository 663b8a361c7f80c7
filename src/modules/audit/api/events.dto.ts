import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '@shared/http/pagination.dto';

/** `from` / `to`: event times (`to` exclusive). */
export class ExportEventsQueryDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class ListEventsQueryDto extends IntersectionType(PageQueryDto, ExportEventsQueryDto) {
  @ApiPropertyOptional({ type: String, maxLength: 100, example: 'tiktok.comment.replied' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;

  @ApiPropertyOptional({ type: String, maxLength: 200, description: 'a user id (token sub) or a system actor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  integrationId?: string;
}

export class StreamEventsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'start after this seq (Last-Event-ID wins when both are sent)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;
}

export class CheckpointsQueryDto extends PageQueryDto {}

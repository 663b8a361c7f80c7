import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `limit` (1–200, default 50) and `cursor` for lists that can grow without bound. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ type: String, maxLength: 2000, description: 'opaque, from nextCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;
}

import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { Metrics } from './metrics';

/** Prometheus text exposition. */
@ApiExcludeController(false)
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({ description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

package io.switchboard.gateway.config;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Publishes the memory held by Netty's default buffer allocator ({@code netty.allocator.memory.used},
 * tag {@code memory.type} = heap or direct), which the WebSocket connections' buffers come from. The
 * JVM's own {@code jvm.buffer.memory.used} does not see all of it: Netty may allocate direct memory
 * outside the JVM's accounting. Together with {@code jvm.memory.used} it gives the memory cost of a
 * connection (docs/operations.md, docs/benchmarks.md).
 */
@Configuration(proxyBeanMethods = false)
class NettyMemoryMetrics {

    @Bean
    MeterBinder nettyAllocatorMetrics() {
        return registry -> {
            if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
                new NettyAllocatorMetrics(provider).bindTo(registry);
            }
        };
    }
}

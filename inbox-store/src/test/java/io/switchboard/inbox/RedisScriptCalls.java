package io.switchboard.inbox;

import io.switchboard.redis.RedisConnection;

/** Counts the script calls a Redis server has served, to see whether calls were grouped. */
final class RedisScriptCalls {

    private RedisScriptCalls() {}

    /** EVALSHA and EVAL calls Redis has served so far. */
    static long served(RedisConnection redis) {
        long calls = 0;
        for (String line : redis.sync().info("commandstats").split("\\r?\\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String field = line.substring(line.indexOf("calls=") + 6);
                calls += Long.parseLong(field.substring(0, field.indexOf(',')));
            }
        }
        return calls;
    }
}

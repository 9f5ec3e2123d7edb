package dev.habla.gateway.internal;

/**
 * The Lua scripts of {@link RedisCluster}: each check-and-change on the shared state is one script, atomic in Redis
 * (no home-made consensus). Each comment names its KEYS and ARGV; the key layout is described on {@link RedisCluster}.
 * Constants only: no state, no threads.
 */
final class RedisScripts {
    private RedisScripts() {
    }

    // KEYS: tok:<sha256>; ARGV: now (epoch ms). Takes one use of a token, or says why it cannot be used.
    static final String TAKE_USE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'API key not valid. Please pass a valid API key.' end
            local f = redis.call('HMGET', KEYS[1], 'revoked', 'exp', 'nse', 'uses', 'left')
            local now = tonumber(ARGV[1])
            if f[1] == '1' then return 'Ephemeral token was revoked.' end
            if tonumber(f[2]) <= now then return 'Ephemeral token expired.' end
            if tonumber(f[3]) <= now then
              return 'Ephemeral token can no longer start new sessions (newSessionExpireTime passed).'
            end
            if tonumber(f[4]) ~= 0 then
              if tonumber(f[5]) <= 0 then return 'Ephemeral token has no uses left.' end
              redis.call('HINCRBY', KEYS[1], 'left', -1)
            end
            return 'ok'
            """;

    // KEYS: slots:app:<app>, slots:key, secs:app:<app>:<day>, secs:key:<day>
    // ARGV: sid, node, appMax, keyMax, appSecsMax, keySecsMax, node key prefix
    static final String ACQUIRE = """
            local function live(h)
              local all = redis.call('HGETALL', h)
              local n = 0
              for i = 1, #all, 2 do
                if redis.call('EXISTS', ARGV[7] .. all[i + 1]) == 1 then n = n + 1 else redis.call('HDEL', h, all[i]) end
              end
              return n
            end
            if tonumber(ARGV[5]) > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[5]) then return 'minutes' end
            if tonumber(ARGV[6]) > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[6]) then return 'minutes' end
            if tonumber(ARGV[3]) > 0 and live(KEYS[1]) >= tonumber(ARGV[3]) then return 'app' end
            if tonumber(ARGV[4]) > 0 and live(KEYS[2]) >= tonumber(ARGV[4]) then return 'key' end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            return 'ok'
            """;

    // KEYS: conv:<handle>; ARGV: seq, ttl ms, then field, value pairs. Writes only what is newer than the stored record.
    static final String SAVE = """
            local stored = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
            if stored > tonumber(ARGV[1]) then return 'stale' end
            local fields = {'seq', ARGV[1]}
            for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
            redis.call('HSET', KEYS[1], unpack(fields))
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 'ok'
            """;

    // KEYS: conv:<handle>. The conversation ended: no write may revive it; gone a minute later.
    static final String FORGET = """
            redis.call('HSET', KEYS[1], 'seq', '9007199254740991', 'ended', '1', 'node', '')
            redis.call('PEXPIRE', KEYS[1], 60000)
            return 'ok'
            """;

    // KEYS: slots:app:<app>, slots:key; ARGV: sid. Both in one step, so an acquire never sees half a release.
    static final String RELEASE = """
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            return 'ok'
            """;

    // KEYS: conv:<handle>; ARGV: this node, node key prefix, the claiming client's app. Returns {status, owner}.
    static final String CLAIM = """
            local owner = redis.call('HGET', KEYS[1], 'node')
            if not owner then return {'missing', ''} end
            if redis.call('HGET', KEYS[1], 'app') ~= ARGV[3] or redis.call('HGET', KEYS[1], 'ended') == '1' then
              return {'missing', ''}
            end
            if owner == '' or owner == ARGV[1] or redis.call('EXISTS', ARGV[2] .. owner) == 0 then
              redis.call('HSET', KEYS[1], 'node', ARGV[1])
              return {'ok', owner}
            end
            return {'busy', owner}
            """;
}

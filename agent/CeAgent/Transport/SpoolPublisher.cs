using CeAgent.Mqtt;
using CeAgent.Spool;

namespace CeAgent.Transport;

/// <summary>A retained message published on every (re)connection, e.g. the CE's "online" state.</summary>
public sealed record RetainedState(string Topic, byte[] Payload);

/// <summary>
/// Moves messages from the spool to the broker and removes them when the broker has them. Runs on the
/// owner's thread: <see cref="Pump"/> starts publishes and looks at the ones that finished, so no lock is
/// needed. What is in flight is bounded; the spool stays the queue of record. A message whose connection
/// dropped before its PUBACK is published again after the reconnect, one the broker refused after
/// <c>retryRejected</c>; after a restart every unacknowledged message is published again. The collector
/// drops repeats by (CE, sequence). Reconnects back off exponentially from one second to a minute.
/// </summary>
public sealed class SpoolPublisher(DurableSpool spool, IMqttLink link, string topic, RetainedState? online = null,
    int maxInflight = 16, TimeSpan? retryRejected = null, TimeProvider? time = null)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1), LastBackoff = TimeSpan.FromSeconds(60);
    private readonly Dictionary<ulong, Task<int>> _inflight = [];
    private readonly Dictionary<ulong, DateTimeOffset> _rejectedUntil = [];
    private readonly TimeSpan _retry = retryRejected ?? TimeSpan.FromSeconds(60);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Task? _connecting;
    private Task<int>? _announcing;
    private bool _announced;
    private TimeSpan _backoff = FirstBackoff;
    private DateTimeOffset _nextConnect;

    public long Published { get; private set; }
    public long Acknowledged { get; private set; }
    public long Rejected { get; private set; }
    /// <summary>Publishes whose connection dropped before the broker answered.</summary>
    public long Interrupted { get; private set; }
    public bool Connected { get; private set; }
    public int InFlight => _inflight.Count;
    /// <summary>The last reason code the broker refused a message with (0 if none).</summary>
    public int LastRefusal { get; private set; }
    /// <summary>Why the last connection attempt failed, or null.</summary>
    public string? LastConnectError { get; private set; }

    /// <summary>Handles what finished, (re)connects when due, then publishes while there is room.</summary>
    public void Pump()
    {
        DateTimeOffset now = _time.GetUtcNow();
        Reap(now);
        if (!link.IsConnected)
        {
            Connected = false;
            _announced = false;
            Reconnect(now);
            return;
        }
        Connected = true;
        _backoff = FirstBackoff;
        if (online is not null && !_announced && _announcing is null)
            _announcing = Guard(() => link.PublishAsync(online.Topic, online.Payload, true, CancellationToken.None));
        if (_inflight.Count >= maxInflight)
            return;
        foreach (SpoolRecord r in spool.Pending(maxInflight + _inflight.Count + _rejectedUntil.Count))
        {
            if (_inflight.Count >= maxInflight)
                break;
            if (_inflight.ContainsKey(r.Seq) || (_rejectedUntil.TryGetValue(r.Seq, out DateTimeOffset until) && until > now))
                continue;
            _rejectedUntil.Remove(r.Seq);
            byte[] payload = r.Payload;
            _inflight[r.Seq] = Guard(() => link.PublishAsync(topic, payload, false, CancellationToken.None));
            Published++;
        }
    }

    /// <summary>Acts on the publishes the broker answered (in any order) or that lost their connection.</summary>
    private void Reap(DateTimeOffset now)
    {
        if (_announcing is { IsCompleted: true } a)
        {
            _announced = a.IsCompletedSuccessfully && a.Result < 0x80;
            _announcing = null;
        }
        List<ulong>? done = null;
        foreach (var (seq, task) in _inflight)
            if (task.IsCompleted)
                (done ??= []).Add(seq);
        if (done is null)
            return;
        foreach (ulong seq in done)
        {
            _inflight.Remove(seq, out Task<int>? t);
            if (!t!.IsCompletedSuccessfully)
                Interrupted++;
            else if (t.Result < 0x80)
            {
                spool.Ack(seq);
                Acknowledged++;
            }
            else
            {
                // Refused (not authorised, quota...): keep it stored and try again later.
                Rejected++;
                LastRefusal = t.Result;
                _rejectedUntil[seq] = now + _retry;
            }
        }
    }

    private void Reconnect(DateTimeOffset now)
    {
        if (_connecting is { IsCompleted: false })
            return;
        if (_connecting is { } last)
        {
            _connecting = null;
            if (!last.IsCompletedSuccessfully)
            {
                LastConnectError = last.Exception?.GetBaseException().Message ?? "connection attempt cancelled";
                _nextConnect = now + _backoff;
                _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, LastBackoff.Ticks));
            }
        }
        if (now < _nextConnect)
            return;
        _connecting = Guard(() => link.ConnectAsync(CancellationToken.None));
    }

    /// <summary>A link may also throw before it returns a task: either way the failure ends up in a task.
    /// (Not an async wrapper: its continuation could complete after the answer, and the reap would miss it.)</summary>
    private static Task<int> Guard(Func<Task<int>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<int>(e);
        }
    }

    private static Task Guard(Func<Task> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException(e);
        }
    }
}

using CeAgent.Mqtt;

namespace CeIsp.Collector;

/// <summary>
/// The collector's connection to the broker: (re)connect, subscribe, and for each delivered message
/// ingest first and acknowledge after. A message is acknowledged only once it is stored or rejected for
/// good; if the store fails, the session ends without acknowledging it and the broker, which keeps the
/// session, delivers it again to the restarted collector. A refused subscription ends the session too:
/// a collector without its subscription would run and store nothing.
/// </summary>
public sealed class CollectorSession(MqttLink link, Collector collector, string group, Action<string> log)
{
    /// <summary>Exit codes of `ce-isp collect`.</summary>
    public const int Ok = 0, SubscriptionRefused = 3, StoreFailed = 4;
    private const int Retry = -1;

    public IReadOnlyList<string> Filters { get; } = [$"$share/{group}/ce/v1/+/summary", "ce/v1/+/state"];

    public async Task<int> RunAsync(CancellationToken stop)
    {
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        bool subscribed = false;
        while (!stop.IsCancellationRequested)
        {
            if (!link.IsConnected || !subscribed)
            {
                // Subscribing on every (re)connection is harmless and survives a broker that lost the session.
                subscribed = false;
                int? exit = link.IsConnected || await Connect(stop).ConfigureAwait(false) ? await Subscribe(stop).ConfigureAwait(false) : Retry;
                if (exit is Retry)
                {
                    await Pause(backoff, stop).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
                    continue;
                }
                if (exit is not null)
                    return exit.Value;
                subscribed = true;
                backoff = TimeSpan.FromSeconds(1);
            }
            if (await link.NextAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false) is not { } d)
                continue;
            if (!Ingest(d))
                return StoreFailed;
            try
            {
                await d.AckAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Stored, but the broker did not hear so: it delivers the message again and the store drops the repeat.
                log($"warning: acknowledgement not sent ({e.Message}); the broker will deliver {d.Topic} again");
            }
        }
        return Ok;
    }

    private bool Ingest(Delivery d)
    {
        IngestResult r;
        try
        {
            r = collector.Ingest(d.Topic, d.Payload);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only the store can throw out of Ingest (bad input is a counted rejection): nothing is acknowledged.
            log($"error: the store failed on {d.Topic} ({e.GetType().Name}: {e.Message}); the message is not acknowledged and the broker keeps it");
            return false;
        }
        if (r.Outcome == IngestOutcome.Rejected)
            log($"rejected {r.Reason}");
        else if (r.Outcome == IngestOutcome.Enrolled)
            log($"enrolled {r.CeId} on first use");
        else if (r.Outcome == IngestOutcome.Fork)
            log($"warning: {r.CeId} sent a different message with sequence {r.Seq}: recorded as a fork");
        return true;
    }

    private async Task<bool> Connect(CancellationToken stop)
    {
        try
        {
            await link.ConnectAsync(stop).ConfigureAwait(false);
            log("connected");
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stop.IsCancellationRequested)
                log($"warning: cannot connect to the broker: {e.GetBaseException().Message}");
            return false;
        }
    }

    private async Task<int?> Subscribe(CancellationToken stop)
    {
        int[] codes;
        try
        {
            codes = await link.SubscribeAsync(Filters, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stop.IsCancellationRequested)
                log($"warning: subscription not answered: {e.GetBaseException().Message}");
            return Retry;
        }
        bool refused = false;
        for (int i = 0; i < Filters.Count; i++)
        {
            int code = i < codes.Length ? codes[i] : 0x80;
            refused |= code >= 0x80;
            log(code >= 0x80 ? $"error: the broker refused {Filters[i]} (reason 0x{code:x2}; check the broker's ACL for this identity, and that it supports shared subscriptions)"
                : $"subscribed to {Filters[i]}");
        }
        return refused ? SubscriptionRefused : null;
    }

    private static async Task Pause(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using CeIsp.Audit;
using CeIsp.Config;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Desk;

/// <summary>
/// What the page, the API and the bulk path share: the same store, resolver and audit log as `ce-isp
/// resolve`. One request at a time: the store's connection and the audit chain are not shared, and a flood
/// of requests queues instead of running the machine out of memory. Every answer is audited before it is
/// returned, and so is every refusal and every read.
/// </summary>
public sealed class DeskService(IspConfig config, RequestArchive archive, AuditLog audit, TimeProvider? time = null)
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public RequestArchive Archive => archive;

    /// <summary>Resolves a request made by user (who must be the request's requester), archives it with its
    /// evidence bundle, and audits it. Throws FormatException naming the field on bad input (audited too).</summary>
    public StoredRequest Submit(string user, string json)
    {
        DisclosureRequest request;
        try
        {
            request = DisclosureRequest.Parse(json);
            if (request.Requester != user)
                throw new FormatException($"request.requester: '{request.Requester}' is not the signed-in account '{user}'");
        }
        catch (FormatException e)
        {
            Audit(user, "resolve-refused", null, null, null, null, $"{e.Message}; request sha256 {Sha256(json)}");
            throw;
        }
        lock (_gate)
        {
            using SummaryStore store = SummaryStore.Open(config.Store.Kind, config.Store.Target);
            byte[] master = config.RequireMasterKey();
            Verdict v = new AddressResolver(store, master).Resolve(request);
            DateTimeOffset at = _time.GetUtcNow();
            string id = RequestArchive.NewId(at);
            var links = new EvidenceLinks(store, (ceId, epoch) => CeAgent.Shared.Secrets.FilterKeys.Derive(master, ceId, epoch), request);
            DeskVerdict verdict = DeskVerdicts.From(id, v, links.ObservationsOf);
            var stored = new StoredRequest(id, user, at, request, verdict);
            archive.Save(stored, EvidenceBundle.Build(store, stored, links.Material));
            Audit(user, "resolve", request.Reference, id, verdict.Verdict, [.. verdict.Candidates.Select(c => c.Line)], $"request sha256 {Sha256(json)}");
            return stored;
        }
    }

    /// <summary>The request if user may read it (its owner, or an auditor); audited either way.</summary>
    public StoredRequest? Read(string user, bool auditor, string id, string action)
    {
        StoredRequest? r = archive.Find(id);
        bool allowed = r is not null && (auditor || r.Owner == user);
        Audit(user, allowed ? action : action + "-refused", r?.Request.Reference, id, allowed ? r!.Verdict.Verdict : null, null,
            allowed ? null : r is null ? "no such request" : "not the owner");
        return allowed ? r : null;
    }

    public void Audit(string user, string action, string? reference, string? subject, string? verdict, IReadOnlyList<string>? lines, string? detail)
    {
        lock (_gate)
            audit.Append(new AuditRecord(user, action, reference, subject, verdict, lines, detail));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

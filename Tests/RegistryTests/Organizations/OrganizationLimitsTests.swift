import Domain
import GRPCWire
import ProtoMessages
import ServiceKit
import ServiceTestSupport
import StorageTestSupport
import Testing

/// Issue 8, item 5, as hostile testing found it: two organizations with 3 MiB `contact` fields
/// pushed the registry's first feed page past the 4 MiB message limit and wedged the feed followers
/// of transfer, issuance and reporting. The request limits refuse such a contact before any work.
@Suite("registry request limits")
struct OrganizationLimitsTests {
    static func contact(nameCharacters: Int, lines: [String] = ["1 Main St"]) -> Recs_Common_V1_ContactInformation {
        var contact = Recs_Common_V1_ContactInformation()
        contact.contactName = String(repeating: "c", count: nameCharacters)
        contact.email = "pat@example.org"
        var address = Recs_Common_V1_PostalAddress()
        address.lines = lines
        contact.address = address
        return contact
    }

    @Test("a 3 MiB contact is INVALID_ARGUMENT naming the field; nothing is created and the feed stays readable", arguments: TestDatabaseKind.allCases)
    func hugeContactRefused(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            for number in 1...2 {
                var request = Requests.createOrganization("huge-\(number)", name: "Huge \(number)")
                request.contact = Self.contact(nameCharacters: 3 * 1_024 * 1_024)
                let refused = try await expectStatus(.invalidArgument) { _ = try await client.createOrganization(request) }
                #expect(refused.message.hasPrefix("contact.contact_name: "), "\(refused.message)")
                let details = refused.metadata.binary(ServiceErrors.detailsKey).flatMap { try? Recs_Common_V1_ErrorDetails(protobufBytes: $0) }
                #expect(details?.violations.first?.field == "contact.contact_name")
                #expect(details?.violations.first?.code == UInt32(RuleViolation.Code.valueTooLong.rawValue))
            }
            var lines = Requests.createOrganization("lines", name: "Many Lines")
            lines.contact = Self.contact(nameCharacters: 10, lines: ["a", "b", String(repeating: "l", count: 101)])
            let refused = try await expectStatus(.invalidArgument) { _ = try await client.createOrganization(lines) }
            #expect(refused.message.hasPrefix("contact.address.lines[2]: "), "\(refused.message)")

            // At the limits the request reaches the registry, which creates the organization.
            var atLimit = Requests.createOrganization("at-limit", name: String(repeating: "n", count: RequestLimits.nameCharactersMax.value))
            atLimit.contact = Self.contact(
                nameCharacters: RequestLimits.nameCharactersMax.value,
                lines: Array(repeating: String(repeating: "l", count: 100), count: RequestLimits.postalAddressLinesMax.value))
            _ = try await client.createOrganization(atLimit)
            var page = Recs_Registry_V1_ListEventsRequest()
            page.limit = 1_000
            let events = try await client.listEvents(page)
            #expect(events.events.count == events.lastSequence, "the first page carries every event")
        }
    }
}

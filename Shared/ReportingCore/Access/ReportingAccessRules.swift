import Domain
import ServiceKit

/// Who may call each method of the reporting service (ADR 0006). The coarse action is checked
/// before the handler runs; the look-up checks every holder of the range again (§20, §19.3.2).
/// A method missing here is never served.
enum ReportingAccessRules {
    static let rules = AccessRules(
        service: "recs.reporting.v1.ReportingService",
        methods: [
            // §20: the holder, the administrator, and program administrators the holder granted.
            "LookUpSerialNumbers": .requires(.lookUpSerials),
            // §19.2: the public reports, for every signed-in user.
            "ListActiveAccountHolders": .requires(.readPublic),
            "ListActiveGenerators": .requires(.readPublic),
            "GetCertificateActivityReport": .requires(.readPublic),
            // §19.3.1, §19.3.3 items 1-7: an account's own reports (program administrators for the
            // accounts that granted them access, §19.3.2).
            "GetAccountActivityReport": .requires(.viewAccount),
            "SaveReportTemplate": .requires(.viewAccount),
            "ListReportTemplates": .requires(.viewAccount),
            "DeleteReportTemplate": .requires(.viewAccount),
            "GetActivityLog": .requires(.viewAccount),
            "GetGenerationReport": .requires(.viewAccount),
            "GetSubaccountDispositionReport": .requires(.viewAccount),
            "GetCertificateTransfersReport": .requires(.viewAccount),
            "GetAccountHolderFeesReport": .requires(.viewAccount),
            "GetProgramComplianceReport": .requires(.viewAccount),
            // §19.3.2, §20: program administrators, for accounts that granted them access.
            "ListAccountsGrantingAccess": .requires(.administerProgram),
            // §19.3.3: sending a report to an external party, done by the administrator; §22: archives.
            "RequestReportExport": .requires(.viewAccount),
            "CompleteReportExport": .requires(.administer),
            "ListReportExportRequests": .requires(.viewAccount),
            "RetrieveArchivedRecords": .requires(.viewAccount),
            "ListArchivedRecords": .requires(.viewAccount),
            // Operators: how far the read models are behind.
            "GetFeedPositions": .requires(.readFeed),
            // The feed: the services that follow it, and the administrator.
            "ListEvents": .requires(.readFeed),
            "WatchEvents": .requires(.readFeed),
        ])
}

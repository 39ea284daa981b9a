// The services and messages of the embedded FileDescriptorProtos, as ProtoMessages'
// EmbeddedDescriptors reads them: enough to list each service's request types and to write a seed
// message with every field set.

import ProtoMessages

enum Descriptors {
    typealias Field = EmbeddedDescriptors.Field
    typealias Method = EmbeddedDescriptors.Method

    /// Every method of every service of every embedded file.
    static let methods: [Method] = files.flatMap(\.methods)
    /// Every message (nested ones included) by fully qualified name.
    static let messages: [String: [Field]] = files.flatMap(\.messages).reduce(into: [:]) { all, message in
        if all[message.name] == nil { all[message.name] = message.fields }
    }

    private static let files: [EmbeddedDescriptors.File] = {
        do {
            return try EmbeddedDescriptors.files()
        } catch {
            preconditionFailure("\(error)")
        }
    }()
}

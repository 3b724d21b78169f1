import ArgumentParser
import BiliupServer
import BiliupStore
import Foundation

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage who may log in to the API and web page.",
        subcommands: [Add.self, List.self, Remove.self, Password.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. The password is read from standard input (one line) or asked for on a terminal.",
            discussion: "The first user is an admin (admins also manage users and API tokens). Passwords are kept as bcrypt hashes.")
        @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory.", valueName: "DIR")) var dataDirectory = "data"
        @Flag(help: "Make the user an admin (the first user always is).") var admin = false
        @Argument(help: "The user's login name.") var name: String

        func run() throws {
            let store = try openStore(dataDirectory: dataDirectory)
            let password = try readNewPassword()
            let first = try store.userCount() == 0
            do {
                try store.addUser(UserRecord(name: name, passwordHash: Secrets.hashPassword(password), admin: admin || first))
            } catch let error as StoreError {
                throw ValidationError(error.message)
            }
            print("user '\(name)' added\(admin || first ? " (admin)" : "")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory.", valueName: "DIR")) var dataDirectory = "data"

        func run() throws {
            for u in try openStore(dataDirectory: dataDirectory).users() { print(u.name + (u.admin ? " (admin)" : "")) }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (and end their logins).")
        @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory.", valueName: "DIR")) var dataDirectory = "data"
        @Argument var name: String

        func run() throws {
            let store = try openStore(dataDirectory: dataDirectory)
            guard let id = try store.user(named: name)?.id else { throw ValidationError("no user '\(name)'") }
            do { try store.deleteUser(id: id) } catch let error as StoreError { throw ValidationError(error.message) }
            print("user '\(name)' removed")
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (read as for `add`); their logins end.")
        @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory.", valueName: "DIR")) var dataDirectory = "data"
        @Argument var name: String

        func run() throws {
            let store = try openStore(dataDirectory: dataDirectory)
            guard let id = try store.user(named: name)?.id else { throw ValidationError("no user '\(name)'") }
            try store.updateUser(id: id, passwordHash: Secrets.hashPassword(try readNewPassword()))
            print("password of '\(name)' changed")
        }
    }
}

/// A password from a terminal prompt (asked twice, not echoed) or the first line of standard input.
private func readNewPassword() throws -> String {
    let password: String
    if isatty(STDIN_FILENO) != 0 {
        guard let first = getpass("Password: ").map({ String(cString: $0) }),
              let again = getpass("Again: ").map({ String(cString: $0) }) else { throw ValidationError("no password given") }
        guard first == again else { throw ValidationError("the two passwords differ") }
        password = first
    } else {
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
        password = line
    }
    if let why = Secrets.weakness(of: password) { throw ValidationError(why) }
    return password
}

-- One database per service (docs/architecture.md, "Ownership of data"). Run once by the postgres
-- image on an empty data volume; each service then applies its own migrations at start-up.
CREATE DATABASE users;
CREATE DATABASE items;
CREATE DATABASE audit;
CREATE DATABASE notifications;

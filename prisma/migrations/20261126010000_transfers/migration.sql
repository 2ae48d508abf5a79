-- AlterTable
ALTER TABLE "account_transactions" ADD COLUMN     "counterparty_account_id" UUID;

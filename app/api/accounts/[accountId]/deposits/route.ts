import { moneyMovementRoute } from '@/lib/http/money-route';

export const POST = moneyMovementRoute('DepositMoney');
